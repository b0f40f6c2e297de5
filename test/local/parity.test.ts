import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { writeSample } from '../../src/generate/writer';
import { runCli } from '../helpers/cli';
import { createTestDatabase, ENGINES } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';

describe.runIf(ENGINES.includes('postgres'))('native Postgres and PGlite', () => {
  it('report exactly the same figures for the same data, first load and re-run', async () => {
    const data = tempDir();
    await writeSample(data, { ...DEFAULT_SAMPLE, seed: 11, events: 12_000 });
    const database = await createTestDatabase();
    try {
      const pglite = ['--data', data, '--db', path.join(tempDir(), 'db'), '--json'];
      const postgres = ['--data', data, '--database-url', database.url, '--json'];
      for (const attempt of ['first load', 're-run']) {
        const [onPglite, onPostgres] = [await runCli('local.ts', pglite), await runCli('local.ts', postgres)];
        expect(onPglite.code, onPglite.stderr).toBe(0);
        expect(onPostgres.code, onPostgres.stderr).toBe(0);
        expect(JSON.parse(onPostgres.stdout), attempt).toEqual(JSON.parse(onPglite.stdout));
      }
    } finally {
      await database.drop();
    }
  });
});
