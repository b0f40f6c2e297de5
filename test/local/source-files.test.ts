import { DEFAULT_WAREHOUSE_SCHEMA } from '../../src/sql/plan';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalEngine } from '../../src/local/database';
import { MAX_KEY_BYTES } from '../../src/local/local-copy';
import { FileChangedWhileReadError, runLocalEtl, TableLockTimeoutError, type LocalRunOptions } from '../../src/local/runner';
import { ChangedFileError } from '../../src/manifest/file-decisions';
import { openPostgres } from '../../src/local/database';
import { createTestDatabase, ENGINES, openTestEngine, type EngineName } from '../helpers/engines';
import { dataDir, play, song, tempDir, writeTree } from '../helpers/fixtures';
import { warehouseSnapshot } from '../helpers/snapshot';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';

describe.each(ENGINES)('source files on %s', { timeout: 120_000 }, (engineName: EngineName) => {
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await openTestEngine(engineName);
  });
  afterAll(async () => engine.close());

  const rebuild = (options: LocalRunOptions) => runLocalEtl(engine, { ...options, rebuild: true });

  // Each rewrite happens at the first bulk COPY into staging_events, after 20,000 records
  // (its chunk): in the middle of the file, for real.
  it.each([
    ['cut to its first 2,200 records (the read ends inside a record)', (lines: string[]) => lines.slice(0, 2200)],
    ['edited, same size, in the part not read yet (every record still parses)', (lines: string[]) => [...lines.slice(0, -1), lines[lines.length - 1].replace('"free"', '"paid"')]],
  ])('a file %s while the load reads it fails the run, naming it, and changes nothing', async (_case, rewrite) => {
    const data = dataDir([song()], [play()]);
    await rebuild({ dataDir: data });
    const before = await warehouseSnapshot(engine.db);
    const log = path.join(data, 'log_data', 'big-events.json');
    const lines = Array.from({ length: 33_334 }, (_, index) =>
      JSON.stringify(play({ sessionId: 2 + Math.floor(index / 1000), itemInSession: index % 1000, level: 'free' })),
    );
    writeFileSync(log, lines.join('\n') + '\n');

    let rewritten = false;
    const rewriting: LocalEngine = {
      ...engine,
      transaction: (work) =>
        engine.transaction((db) =>
          work({
            ...db,
            copyCsv: async (table, columns, csv) => {
              if (table === 'staging_events' && !rewritten) {
                rewritten = true;
                writeFileSync(log, rewrite(lines).join('\n') + '\n');
              }
              return db.copyCsv(table, columns, csv);
            },
          }),
        ),
    };
    const error = await runLocalEtl(rewriting, { dataDir: data }).catch((caught: unknown) => caught);
    expect(rewritten).toBe(true);
    expect(error).toBeInstanceOf(FileChangedWhileReadError);
    expect((error as Error).message).toContain(log);
    expect(await warehouseSnapshot(engine.db)).toEqual(before);

    const retry = await runLocalEtl(engine, { dataDir: data });
    expect(retry.tables.staging_events).toBe(rewrite(lines).length);
  });

  it('--verify finds a same-size edit whose modification time was put back; without it the file is trusted', async () => {
    const data = dataDir([song()], [play({ level: 'free' })]);
    const log = path.join(data, 'log_data/2018/11/2018-11-01-events.json');
    const loadedAt = 1_700_000_000; // whole seconds, so the time put back is exactly the same
    utimesSync(log, loadedAt, loadedAt);
    await rebuild({ dataDir: data });
    writeFileSync(log, readFileSync(log, 'utf8').replace('"free"', '"paid"'));
    utimesSync(log, loadedAt, loadedAt);

    expect(await runLocalEtl(engine, { dataDir: data })).toMatchObject({ loadedFiles: 0, skippedFiles: 2 });
    const error = await runLocalEtl(engine, { dataDir: data, verify: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChangedFileError);
    expect((error as ChangedFileError).files).toEqual([log]);
  });

  it('reads .jsonl and .json.gz files and names every other file it does not read, loading the rest', async () => {
    const data = dataDir([song({ song_id: 'SOPLAIN' })], [play({ itemInSession: 1 })]);
    const outside = path.join(tempDir(), 'outside.json');
    writeFileSync(outside, JSON.stringify(song({ song_id: 'SOOUTSIDE' })));
    writeTree(data, {
      'song_data/lines.jsonl': [song({ song_id: 'SOLINES' })],
      'song_data/notes.txt': 'not data',
      'log_data/2018/11/2018-11-02-events.jsonl': [play({ itemInSession: 2 })],
    });
    writeFileSync(path.join(data, 'song_data', 'packed.json.gz'), gzipSync(JSON.stringify(song({ song_id: 'SOGZIP' }))));
    const deep = path.join(data, 'song_data', ...Array.from({ length: 6 }, () => 'd'.repeat(200)));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'long.json'), JSON.stringify(song({ song_id: 'SOLONG' })));
    const badName = Buffer.concat([Buffer.from(path.join(data, 'song_data', 'bad')), Buffer.from([0xff]), Buffer.from('.json')]);
    writeFileSync(badName, JSON.stringify(song({ song_id: 'SOBADNAME' })));
    mkdirSync(path.join(data, 'elsewhere'));
    writeFileSync(path.join(data, 'elsewhere', 'linked.json'), JSON.stringify(song({ song_id: 'SOLINKED' })));
    symlinkSync(path.join(data, 'elsewhere', 'linked.json'), path.join(data, 'song_data', 'link-inside.json'));
    symlinkSync(outside, path.join(data, 'song_data', 'link-outside.json'));
    symlinkSync(path.join(data, 'missing.json'), path.join(data, 'song_data', 'link-dangling.json'));

    const report = await rebuild({ dataDir: data });
    const songIds = (await engine.db.query<{ song_id: string }>('SELECT song_id FROM songs ORDER BY song_id')).map((row) => row.song_id);
    expect(songIds).toEqual(['SOGZIP', 'SOLINES', 'SOLINKED', 'SOPLAIN']);
    expect(report.tables.staging_events).toBe(2);
    const longKey = path.relative(data, path.join(deep, 'long.json'));
    expect(Buffer.byteLength(longKey)).toBeGreaterThan(MAX_KEY_BYTES);
    expect(report.unreadFiles.map((unread) => [path.relative(data, unread.file), unread.reason])).toEqual([
      ['song_data/bad\\xff.json', expect.stringContaining('not valid UTF-8')],
      [longKey, expect.stringContaining(`longer than the ${MAX_KEY_BYTES}`)],
      ['song_data/link-dangling.json', 'a symbolic link to nothing'],
      ['song_data/link-outside.json', expect.stringContaining('outside the data folder')],
      ['song_data/notes.txt', 'not a .json, .jsonl or .json.gz file'],
    ]);
    expect(report.emptySource).toBe(false);
  });

  it.each([
    ['no files', {}],
    ['only empty files', { 'song_data/a.json': '', 'log_data/b.jsonl': '' }],
  ])('a source with %s loads nothing and says it is empty', async (_case, files) => {
    const data = writeTree(tempDir(), files);
    mkdirSync(path.join(data, 'song_data'), { recursive: true });
    mkdirSync(path.join(data, 'log_data'), { recursive: true });
    const report = await rebuild({ dataDir: data });
    expect(report.emptySource).toBe(true);
    expect(Object.values(report.tables).every((count) => count === 0)).toBe(true);
    expect(report.checks.every((check) => check.ok)).toBe(true);
  });

  it.runIf(udacitySamplePresent('the gzip sample test'))('a gzip-compressed copy of the real sample loads exactly as the sample', async () => {
    await rebuild({ dataDir: UDACITY_SAMPLE });
    const plain = await warehouseSnapshot(engine.db);
    const gzipped = tempDir();
    cpSync(path.join(UDACITY_SAMPLE, 'log_json_path.json'), path.join(gzipped, 'log_json_path.json'));
    for (const prefix of ['song_data', 'log_data']) {
      for (const entry of readdirSync(path.join(UDACITY_SAMPLE, prefix), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const relative = path.relative(UDACITY_SAMPLE, path.join(entry.parentPath, entry.name));
        mkdirSync(path.dirname(path.join(gzipped, relative)), { recursive: true });
        writeFileSync(path.join(gzipped, `${relative}.gz`), gzipSync(readFileSync(path.join(UDACITY_SAMPLE, relative))));
      }
    }
    const report = await rebuild({ dataDir: gzipped });
    expect(report.unreadFiles).toEqual([]);
    const compressed = await warehouseSnapshot(engine.db);
    const { manifest: plainManifest, ...plainTables } = plain;
    const { manifest: gzippedManifest, ...gzippedTables } = compressed;
    expect(gzippedTables).toEqual(plainTables);
    expect(gzippedManifest.map((row) => (row as { rows_loaded: number }).rows_loaded)).toEqual(
      plainManifest.map((row) => (row as { rows_loaded: number }).rows_loaded),
    );
  });
});

describe.runIf(ENGINES.includes('postgres'))('a table lock held by a reader on Postgres', () => {
  it('times out a --reset load (its DROP waits for the reader), naming the session that holds it, and changes nothing', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    const engine = await openPostgres(database.url);
    const reader = await openPostgres(`${database.url}${database.url.includes('?') ? '&' : '?'}application_name=long-report`);
    try {
      const data = dataDir([song()], [play()]);
      await runLocalEtl(engine, { dataDir: data, rebuild: true });
      const before = await warehouseSnapshot(engine.db);
      await reader.db.query('BEGIN');
      await reader.db.query(`LOCK TABLE ${DEFAULT_WAREHOUSE_SCHEMA}.songplays IN ACCESS SHARE MODE`);
      writeTree(data, { 'log_data/2018/11/2018-11-02-events.json': [play({ itemInSession: 7 })] });

      const error = await runLocalEtl(engine, { dataDir: data, rebuild: true, lockTimeoutMs: 500 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TableLockTimeoutError);
      const [{ pid }] = await reader.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect((error as TableLockTimeoutError).holders).toContainEqual(
        expect.objectContaining({ pid, applicationName: 'long-report', table: 'songplays', mode: 'AccessShareLock' }),
      );
      expect((error as Error).message).toContain(`pid ${pid} (application "long-report"`);
      await reader.db.query('ROLLBACK');
      expect(await warehouseSnapshot(engine.db)).toEqual(before);
    } finally {
      await reader.close();
      await engine.close();
      await database.drop();
    }
  });
});
