import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { markOwnFolder } from '../../src/local/folder-ownership';
import { recoverPgliteFolder } from '../../src/local/pglite-store';
import { openPostgres } from '../../src/local/database';
import { withWarehouse, type WarehouseLocation } from '../../src/local/local-warehouse';
import { runCli, startCli, waitFor } from '../helpers/cli';
import { createTestDatabase, ENGINES, type EngineName } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { warehouseSnapshot } from '../helpers/snapshot';

describe.each(ENGINES)('on %s', { timeout: 180_000 }, (engineName: EngineName) => {
  // Big enough that a load takes seconds (and so shows its progress line, which starts after
  // one second), so a run can be caught in the middle. A Postgres server loads about five
  // times faster than PGlite, so it gets five times the events.
  const options: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 200, days: 4, songs: 100, events: engineName === 'postgres' ? 400_000 : 80_000 };
  const { addDay, dataWithDays } = generatedDays(options);

  const dropDatabases: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropDatabases) await drop();
  });

  /** A new, empty warehouse location and the CLI arguments naming it (Postgres: a database of its own). */
  async function freshWarehouse(): Promise<{ where: WarehouseLocation; args: string[] }> {
    if (engineName === 'pglite') {
      const dbDir = path.join(tempDir(), 'db');
      return { where: { dbDir }, args: ['--db', dbDir] };
    }
    const database = await createTestDatabase();
    dropDatabases.push(database.drop);
    return { where: { databaseUrl: database.url }, args: ['--database-url', database.url] };
  }

  const snapshot = (where: WarehouseLocation) => withWarehouse(where, (engine) => warehouseSnapshot(engine.db));

  /**
   * A Postgres server finds out that a killed client is gone only when its statement
   * next talks to it; until then it holds the transaction (invisible to others) and the
   * load lock. Wait for it to roll back, as a user would see it report "busy" meanwhile.
   */
  async function serverNoticedTheKill(where: WarehouseLocation): Promise<void> {
    if (!('databaseUrl' in where)) return;
    const engine = await openPostgres(where.databaseUrl);
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [{ held }] = await engine.db.query<{ held: number }>(
          "SELECT COUNT(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        );
        if (held === 0) return;
        if (Date.now() > deadline) throw new Error('the killed run still holds the load lock after 60 s');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await engine.close();
    }
  }

  it('a run killed with SIGKILL mid-load leaves warehouse and manifest as they were; the next run loads it all', async () => {
    const { where, args } = await freshWarehouse();
    const full = dataWithDays([0]);
    expect((await runCli('local.ts', [...args, '--data', full])).code).toBe(0);
    const before = await snapshot(where);

    for (const day of [1, 2, 3]) addDay(full, day);
    const run = startCli('local.ts', [...args, '--data', full]);
    await waitFor(() => /read\+parse: .* staging_events/.test(run.stderr()), 60_000, 'the load to be under way');
    run.child.kill('SIGKILL');
    expect((await run.finished).signal).toBe('SIGKILL');
    await serverNoticedTheKill(where);

    expect(await snapshot(where)).toEqual(before);
    const retry = await runCli('local.ts', [...args, '--data', full, '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ loadedFiles: 3, skippedFiles: options.songs + 1 });

    const reference = await freshWarehouse();
    expect((await runCli('local.ts', [...reference.args, '--data', full])).code).toBe(0);
    expect(await snapshot(where)).toEqual(await snapshot(reference.where));
  });

  it('two runs at once: the second refuses with a clear message, and nothing loads twice', async () => {
    const { where, args } = await freshWarehouse();
    const data = dataWithDays([0, 1, 2, 3]);
    const first = startCli('local.ts', [...args, '--data', data, '--json']);
    await waitFor(() => /read\+parse/.test(first.stderr()), 60_000, 'the first run to hold the warehouse');
    const second = await runCli('local.ts', [...args, '--data', data, '--json']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use by another run|holds the load lock/);
    const firstResult = await first.finished;
    expect(firstResult.code, firstResult.stderr).toBe(0);

    const third = await runCli('local.ts', [...args, '--data', data, '--json']);
    expect(JSON.parse(third.stdout)).toMatchObject({ loadedFiles: 0, tables: JSON.parse(firstResult.stdout).tables });
    const manifest = (await snapshot(where)).manifest;
    expect(manifest).toHaveLength(options.songs + 4);
  });
});

describe('recovering a PGlite folder after a crash', () => {
  function folder(dir: string, content: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'marker'), content);
    markOwnFolder(dir); // each was made by a run of this tool
  }
  const marker = (dir: string) => (existsSync(path.join(dir, 'marker')) ? readFileSync(path.join(dir, 'marker'), 'utf8') : undefined);

  it.each([
    ['killed while loading: the half-written copy goes', { live: 'old', work: 'half' }, 'old'],
    ['killed after the copy closed, before the swap: the complete copy becomes live', { live: 'old', next: 'new' }, 'new'],
    ['killed between the two renames: the complete copy becomes live', { previous: 'old', next: 'new' }, 'new'],
    ['killed before removing the old folder: it goes', { live: 'new', previous: 'old' }, 'new'],
  ] as const)('%s', (_case, state: Partial<Record<'live' | 'work' | 'next' | 'previous', string>>, expected) => {
    const db = path.join(tempDir(), 'db');
    const suffix = { live: '', work: '.work', next: '.next', previous: '.previous' };
    for (const [kind, content] of Object.entries(state)) folder(`${db}${suffix[kind as keyof typeof suffix]}`, content);
    recoverPgliteFolder(db);
    expect(marker(db)).toBe(expected);
    for (const leftover of ['.work', '.next', '.previous']) expect(existsSync(`${db}${leftover}`)).toBe(false);
  });
});
