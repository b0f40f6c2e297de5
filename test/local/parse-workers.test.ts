import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultParseWorkers, WORKER_MIN_BYTES } from '../../src/local/file-batches';
import { runCopyLocally, TooManyRejectsError, type LocalCopyRunner } from '../../src/local/local-copy';
import type { LocalRunOptions } from '../../src/local/runner';
import { play, song, tempDir, writeTree } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';
import { warehouseSnapshot } from '../helpers/snapshot';

/** A COPY runner that parses with `workers` worker threads, whatever the size of the files. */
const withWorkers =
  (workers: number): LocalCopyRunner =>
  (db, sql, options) =>
    runCopyLocally(db, sql, { ...options, parseWorkers: workers });

/**
 * Three days of logs (one gzip'd) with a bad record in two of them, and three songs: more
 * files than workers, so each worker takes several, and rows of several 3-row chunks.
 */
function sample(): { dir: string; badRecords: { file: string; line: number }[] } {
  const dir = tempDir();
  const day = (date: number, offset: number) =>
    Array.from({ length: 7 }, (_, index) => JSON.stringify(play({ sessionId: date, itemInSession: offset + index, ts: 1541000000000 + date * 86_400_000 + index })));
  const first = day(1, 0);
  const second = day(2, 0);
  second.splice(3, 0, '{"ts": "not a number", "page": "NextSong"}');
  const third = day(3, 0);
  third.push('{ not json');
  writeTree(dir, {
    'log_data/2018/11/2018-11-01-events.json': first.join('\n') + '\n',
    'log_data/2018/11/2018-11-02-events.json': second.join('\n') + '\n',
    'song_data/A/TRA.json': [song({ song_id: 'SOA' })],
    'song_data/B/TRB.json': [song({ song_id: 'SOB', title: 'Other' })],
    'song_data/C/TRC.json': [song({ song_id: 'SOC', title: 'Third' })],
  });
  writeFileSync(path.join(dir, 'log_data/2018/11/2018-11-03-events.json.gz'), gzipSync(third.join('\n') + '\n'));
  return {
    dir,
    badRecords: [
      { file: path.join(dir, 'log_data/2018/11/2018-11-02-events.json'), line: 4 },
      { file: path.join(dir, 'log_data/2018/11/2018-11-03-events.json.gz'), line: 8 },
    ],
  };
}

describe('how many parse workers a COPY starts by default', () => {
  it('none for a small COPY; for a larger one, every core, but the one an engine on this thread runs on', () => {
    expect(defaultParseWorkers(WORKER_MIN_BYTES - 1, false)).toBe(0);
    expect(defaultParseWorkers(WORKER_MIN_BYTES, false)).toBe(availableParallelism());
    expect(defaultParseWorkers(WORKER_MIN_BYTES, true)).toBe(Math.max(1, availableParallelism() - 1));
  });
});

describe('parsing in worker threads', () => {
  const shared = sharedWarehouse();

  it('loads exactly what parsing on the loading thread loads: rows, rejects in order with file and line, the manifest', async () => {
    const { dir, badRecords } = sample();
    const load = async (workers: number, chunkRows: number) => {
      const copyRunner: LocalCopyRunner = (db, sql, options) => runCopyLocally(db, sql, { ...options, parseWorkers: workers, chunkRows });
      const options: LocalRunOptions = { dataDir: dir, maxErrors: 5, copyRunner };
      const { report } = await shared.load(options);
      return { report: { ...report, phaseSeconds: undefined }, tables: await warehouseSnapshot(shared.engine().db) };
    };
    const onThisThread = await load(0, 20_000);
    expect(onThisThread.report.tables.staging_events).toBe(21);
    expect(onThisThread.report.rejects.map(({ file, line }) => ({ file, line }))).toEqual(badRecords);
    for (const [workers, chunkRows] of [
      [1, 3],
      [2, 3],
      [3, 1],
    ]) {
      expect(await load(workers, chunkRows), `${workers} workers, chunks of ${chunkRows}`).toEqual(onThisThread);
    }
  });

  it('records in the manifest the SHA-256 of each file as stored', async () => {
    const { dir } = sample();
    await shared.load({ dataDir: dir, maxErrors: 5, copyRunner: withWorkers(2) });
    const recorded = await shared.engine().db.query<{ file_key: string; content_hash: string }>('SELECT file_key, content_hash FROM load_manifest ORDER BY file_key');
    expect(recorded.length).toBe(6);
    for (const { file_key, content_hash } of recorded) {
      expect(content_hash).toBe(createHash('sha256').update(readFileSync(path.join(dir, file_key))).digest('hex'));
    }
  });

  it('stops at the first record past MAXERROR, naming every reject so far', async () => {
    const { dir, badRecords } = sample();
    const error = await shared.load({ dataDir: dir, maxErrors: 1, copyRunner: withWorkers(2) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TooManyRejectsError);
    expect((error as TooManyRejectsError).rejects.map(({ file, line }) => ({ file, line }))).toEqual(badRecords);
  });

  it('fails with the reading error of a file that is gone, as on the loading thread', async () => {
    const { dir } = sample();
    const copySql = "COPY staging_songs FROM 's3://sparkify-local/song_data' IAM_ROLE 'r' FORMAT AS JSON 'auto';";
    const error = await shared
      .engine()
      .transaction((db) =>
        runCopyLocally(db, copySql, { dataDir: dir, fallbackJsonPaths: '', files: [path.join(dir, 'song_data/A/TRA.json'), path.join(dir, 'nowhere.json')], parseWorkers: 2 }),
      )
      .catch((caught: unknown) => caught);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect((error as Error).message).toContain('nowhere.json');
  });

  it('stops before its next chunk once aborted, with the abort reason', async () => {
    const { dir } = sample();
    const controller = new AbortController();
    let chunks = 0;
    const copySql = "COPY staging_events FROM 's3://sparkify-local/log_data' IAM_ROLE 'r' FORMAT AS JSON 's3://sparkify-local/log_json_path.json' MAXERROR 5;";
    const stopped = new Error('stop');
    const error = await shared
      .engine()
      .transaction((db) =>
        runCopyLocally(
          {
            ...db,
            copyCsv: async (table, columns, csv) => {
              chunks += 1;
              controller.abort(stopped);
              return db.copyCsv(table, columns, csv);
            },
          },
          copySql,
          { dataDir: dir, fallbackJsonPaths: path.join('sql', 'log_json_path.json'), chunkRows: 2, parseWorkers: 2, signal: controller.signal },
        ),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBe(stopped);
    expect(chunks).toBe(1);
  });
});
