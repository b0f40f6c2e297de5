import { describe, expect, it } from 'vitest';
import { splitIntoBatches } from '../../src/sql/batches';

const statements = (count: number) => Array.from({ length: count }, (_, index) => `SELECT ${index};`);

describe('splitIntoBatches', () => {
  it('keeps up to 40 statements in one batch', () => {
    expect(splitIntoBatches(statements(40))).toEqual([statements(40)]);
  });

  it('starts a second batch at the 41st statement, keeping the order', () => {
    const batches = splitIntoBatches(statements(41));
    expect(batches.map((batch) => batch.length)).toEqual([40, 1]);
    expect(batches.flat()).toEqual(statements(41));
  });

  it('accepts a statement of exactly 100 KB and refuses one byte more, naming it', () => {
    const limit = 100 * 1024;
    expect(splitIntoBatches(['x'.repeat(limit)])).toHaveLength(1);
    expect(() => splitIntoBatches(['SELECT 1;', 'x'.repeat(limit + 1)])).toThrow(/Statement 2 is 102401 bytes/);
  });

  it('counts bytes, not characters', () => {
    expect(() => splitIntoBatches(['é'.repeat(3)], { maxStatementBytes: 5 })).toThrow(/6 bytes/);
  });
});
