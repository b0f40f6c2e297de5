import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode, PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';

const SAMPLE = UDACITY_SAMPLE;
const present = udacitySamplePresent('the real-sample facts');

describe.runIf(present)('the real udacity sample', () => {
  it('gives exactly the published facts through sparkify-local --json, and the same again on a re-run', async () => {
    const db = path.join(tempDir(), 'db');
    const args = [path.join(PROJECT_ROOT, 'bin', 'sparkify-local.js'), '--data', SAMPLE, '--db', db, '--reset', '--json'];
    const run = await runNode(args);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.tables).toEqual({
      staging_events: 8056,
      staging_songs: 71,
      songplays: 6820,
      users: 97,
      songs: 71,
      artists: 69,
      time: 6813,
    });
    expect(report.matchedSongplays).toBe(1);
    expect(report.rejected).toBe(0);
    expect(report.checks.length).toBeGreaterThanOrEqual(6);
    expect(report.checks.every((check: { ok: boolean }) => check.ok)).toBe(true);
    expect(report.loadedFiles).toBe(101);

    const again = await runNode(args.filter((arg) => arg !== '--reset'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...report, loadedFiles: 0, skippedFiles: 101 });
  });
});
