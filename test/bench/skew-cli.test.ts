import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSample } from '../../src/generate/writer';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

describe('npm run skew', () => {
  it('reports every table of a PGlite warehouse as JSON, and exits 1 when a target is missed', async () => {
    // 600 events: about 450 plays, some 14 a slice at 32 slices, too few to meet 1.3 there.
    const data = tempDir();
    await writeSample(data, { ...DEFAULT_SAMPLE, events: 600, days: 2, songs: 20, users: 10 });
    const db = path.join(tempDir(), 'db');
    // Built as a user builds it (npm run local marks the folder as a warehouse of this tool).
    expect((await runCli('local.ts', ['--db', db, '--data', data, '--json'])).code).toBe(0);

    const json = await runCli('skew.ts', ['--db', db, '--json']);
    expect(json.code, json.stderr).toBe(1);
    const { tables, targets } = JSON.parse(json.stdout);
    const songplays = tables.find((t: { table: string }) => t.table === 'songplays');
    expect(songplays.distribution).toEqual({ style: 'KEY', key: 'start_time' });
    expect(songplays.spreads.map((s: { rowsPerSlice: number[] }) => s.rowsPerSlice.reduce((a, b) => a + b, 0))).toEqual([songplays.rows, songplays.rows, songplays.rows, songplays.rows]);
    expect(targets).toContainEqual(expect.objectContaining({ target: 'songplays skew ≤ 1.3 at 32 slices (this warehouse)', met: false }));
  });

  it('says where no warehouse is yet', async () => {
    const missing = path.join(tempDir(), 'none');
    const run = await runCli('skew.ts', ['--db', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No warehouse at ${missing} yet: npm run local builds it.`);
  });
});
