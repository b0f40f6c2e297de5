import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../src/text-units';

describe('text units', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [7_200, '7.2 kB'],
    [3_800_000, '3.8 MB'],
    [1_000_000_000, '1.00 GB'],
    [66_300_000_000, '66.3 GB'],
  ])('%i bytes read as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0.04, '0.0s'],
    [3, '3s'],
    [9.5, '9.5s'],
    [45.4, '45s'],
    [65, '1m05s'],
    [7380, '2h03m'],
  ])('%f seconds read as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
