import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { logFile } from '../../src/generate/writer';
import { TooManyRejectsError } from '../../src/local/local-copy';
import { ChangedFileError } from '../../src/manifest/file-decisions';
import { runLocalEtl, type LocalRunOptions, type LocalRunReport } from '../../src/local/runner';
import { withWarehouse, type WarehouseLocation } from '../../src/local/local-warehouse';
import { createTestDatabase, ENGINES, type EngineName } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { warehouseSnapshot } from '../helpers/snapshot';

const options: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 30, days: 4, songs: 40, events: 2400 };
const { addDay, dataWithDays, sourceOf } = generatedDays(options);

/** What a day's file holds, counted independently of the SQL. */
function dayFacts(day: number) {
  const events = readFileSync(sourceOf(day), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const plays = events.filter((event) => event.page === 'NextSong');
  return {
    events: events.length,
    playKeys: new Set(plays.map((event) => `${event.userId}/${event.sessionId}/${event.itemInSession}`)).size,
    userIds: new Set(events.filter((event) => event.userId !== '').map((event) => event.userId)),
    playTimes: new Set(plays.map((event) => event.ts)),
  };
}

describe.each(ENGINES)('incremental loads on %s', (engineName: EngineName) => {
  const dropDatabases: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of dropDatabases) await drop();
  });

  /** A new, empty warehouse of this engine for one test (a warehouse keeps to the one source it was loaded from). */
  async function freshWarehouse(): Promise<WarehouseLocation> {
    if (engineName === 'pglite') return { dbDir: path.join(tempDir(), 'db') };
    const database = await createTestDatabase();
    dropDatabases.push(database.drop);
    return { databaseUrl: database.url };
  }

  function load(where: WarehouseLocation, run: LocalRunOptions): Promise<LocalRunReport> {
    return withWarehouse(where, (engine) => runLocalEtl(engine, run));
  }

  function snapshot(where: WarehouseLocation) {
    return withWarehouse(where, (engine) => warehouseSnapshot(engine.db));
  }

  it('a new day loads only its own file, and the counts grow by exactly that day', async () => {
    const where = await freshWarehouse();
    const data = dataWithDays([0, 1, 2]);
    const base = await load(where, { dataDir: data });
    expect(base.loadedFiles).toBe(options.songs + 3);
    const usersBefore = new Set([0, 1, 2].flatMap((day) => [...dayFacts(day).userIds]));
    const timesBefore = new Set([0, 1, 2].flatMap((day) => [...dayFacts(day).playTimes]));

    addDay(data, 3);
    const next = await load(where, { dataDir: data });
    const day = dayFacts(3);
    expect(next.loadedFiles).toBe(1);
    expect(next.skippedFiles).toBe(options.songs + 3);
    expect(next.tables.staging_events).toBe(day.events);
    expect(next.tables.staging_songs).toBe(0);
    expect(next.tables.songplays - base.tables.songplays).toBe(day.playKeys);
    expect(next.tables.users - base.tables.users).toBe([...day.userIds].filter((id) => !usersBefore.has(id)).length);
    expect(next.tables.time - base.tables.time).toBe([...day.playTimes].filter((ts) => !timesBefore.has(ts)).length);
    expect(next.checks.every((check) => check.ok)).toBe(true);

    const again = await load(where, { dataDir: data });
    expect(again).toMatchObject({ loadedFiles: 0, skippedFiles: options.songs + 4, tables: next.tables });
  });

  it('loading the days one by one, in reverse order, gives the warehouse one full load gives', async () => {
    const all = await freshWarehouse();
    await load(all, { dataDir: dataWithDays([0, 1, 2, 3]) });
    const expected = await snapshot(all);

    const oneByOne = await freshWarehouse();
    const data = dataWithDays([]);
    for (const day of [3, 2, 1, 0]) {
      addDay(data, day);
      await load(oneByOne, { dataDir: data });
    }
    expect(await snapshot(oneByOne)).toEqual(expected);
  });

  it('a redelivered copy of a loaded file is skipped and counted, the counts unchanged', async () => {
    const where = await freshWarehouse();
    const data = dataWithDays([0, 1]);
    const base = await load(where, { dataDir: data });
    const copy = path.join(data, 'log_data', 'redelivered', 'copy-of-day-1.json');
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(logFile(data, options, 1), copy);
    const after = await load(where, { dataDir: data });
    expect(after.loadedFiles).toBe(0);
    expect(after.skippedFiles).toBe(base.loadedFiles + 1);
    expect(after.tables).toMatchObject({ songplays: base.tables.songplays, users: base.tables.users });
    const manifest = (await snapshot(where)).manifest as { file_key: string; rows_loaded: number }[];
    expect(manifest).toContainEqual(expect.objectContaining({ file_key: 'log_data/redelivered/copy-of-day-1.json', rows_loaded: 0 }));
  });

  it('a loaded file whose content changed is an error naming it, unless --reload-changed', async () => {
    const where = await freshWarehouse();
    const data = dataWithDays([0]);
    await load(where, { dataDir: data });
    const before = await snapshot(where);
    const file = logFile(data, options, 0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const extra = { ...JSON.parse(lines[0]), itemInSession: 999, page: 'NextSong', song: 'Extra', artist: 'Extra', length: 1 };
    writeFileSync(file, [...lines, JSON.stringify(extra)].join('\n') + '\n');

    const error = await load(where, { dataDir: data }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChangedFileError);
    expect((error as Error).message).toContain(file);
    expect(await snapshot(where)).toEqual(before);

    const reloaded = await load(where, { dataDir: data, reloadChanged: true });
    expect(reloaded.loadedFiles).toBe(1);
    expect(reloaded.tables.songplays).toBe((before.songplays as unknown[]).length + 1);
  });

  it('a load that fails mid-way leaves warehouse and manifest unchanged; the retry loads the same files', async () => {
    const where = await freshWarehouse();
    const data = dataWithDays([0, 1]);
    await load(where, { dataDir: data });
    const before = await snapshot(where);
    addDay(data, 2);
    const bad = path.join(path.dirname(logFile(data, options, 3)), 'late-bad.json');
    writeFileSync(bad, '{"ts": "not a number"}\n');

    await expect(load(where, { dataDir: data })).rejects.toBeInstanceOf(TooManyRejectsError);
    expect(await snapshot(where)).toEqual(before);

    rmSync(bad);
    const retry = await load(where, { dataDir: data });
    expect(retry.loadedFiles).toBe(1);
    expect(retry.tables.staging_events).toBe(dayFacts(2).events);
  });
});
