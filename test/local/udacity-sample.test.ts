import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNode, PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** The real 2018-11 sample beside the project (read only; never copied into it). */
const SAMPLE = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'udacity-sample');
const present = existsSync(SAMPLE);

if (!present && process.env.CI) {
  throw new Error(`CI must have the real sample at ${SAMPLE}`);
}
if (!present) {
  console.warn(`Skipping the real-sample facts: ${SAMPLE} is not there (it is in CI).`);
}

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
    expect(report.checks.length).toBeGreaterThanOrEqual(8);
    expect(report.checks.every((check: { ok: boolean }) => check.ok)).toBe(true);
    expect(report.loadedFiles).toBe(101);

    const again = await runNode(args.filter((arg) => arg !== '--reset'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...report, loadedFiles: 0, skippedFiles: 101 });
  });
});
