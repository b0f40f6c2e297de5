import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type LocalEngine } from '../../src/local/database';
import { READ_CHUNK_BYTES } from '../../src/local/file-rows';
import { copyJsonFiles, keyInLocalBucket, parseCopyStatement, TooManyRejectsError } from '../../src/local/local-copy';
import { DEFAULT_TIME_FORMAT, fieldConverter, type StagingColumn } from '../../src/local/staging-columns';
import { tempDir } from '../helpers/fixtures';

describe('parseCopyStatement', () => {
  it('reads the bucket and key of the source and the JSONPaths file, in any bucket', () => {
    const copy = parseCopyStatement(
      "COPY staging_events\nFROM 's3://udacity-dend/log_data'\nIAM_ROLE 'arn:aws:iam::1:role/r'\nFORMAT AS JSON 's3://other/paths.json'\nREGION 'us-west-2'\nMAXERROR 3\nCOMPUPDATE OFF\nSTATUPDATE ON;",
    );
    expect(copy).toEqual({
      table: 'staging_events',
      from: { bucket: 'udacity-dend', key: 'log_data' },
      manifest: false,
      jsonFormat: { jsonPaths: { bucket: 'other', key: 'paths.json' } },
      gzip: false,
      timeFormat: undefined,
      maxErrors: 3,
      updateStatistics: true,
    });
  });

  it('reads MANIFEST, GZIP and TIMEFORMAT, and defaults to MAXERROR 0', () => {
    const copy = parseCopyStatement(
      "COPY staging_files FROM 's3://runs/r/1/files.json' IAM_ROLE 'x' FORMAT AS JSON 'auto' TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS' MANIFEST GZIP STATUPDATE OFF;",
    );
    expect(copy).toMatchObject({ manifest: true, gzip: true, timeFormat: 'YYYY-MM-DD HH24:MI:SS', maxErrors: 0, updateStatistics: false });
    expect(copy.jsonFormat).toBe('auto');
  });

  it('takes keywords from code only, never from a literal or a comment', () => {
    const copy = parseCopyStatement(
      "-- MANIFEST GZIP MAXERROR 9\nCOPY t FROM 's3://b/runs/log_data.manifest' IAM_ROLE 'arn:aws:iam::1:role/GZIP' FORMAT AS JSON 'auto';",
    );
    expect(copy).toMatchObject({ from: { bucket: 'b', key: 'runs/log_data.manifest' }, manifest: false, gzip: false, maxErrors: 0 });
  });

  it('refuses what is not a COPY from S3 as JSON', () => {
    expect(() => parseCopyStatement("COPY t FROM 's3://b/k' CSV;")).toThrow(/Not a COPY/);
    expect(() => parseCopyStatement("COPY t FROM '/tmp/k' FORMAT AS JSON 'auto';")).toThrow(/s3:\/\/bucket\/key, not \/tmp\/k/);
  });

  it('leaves the local runner its check that only the local bucket is read', () => {
    expect(keyInLocalBucket({ bucket: 'sparkify-local', key: 'song_data' })).toBe('song_data');
    expect(() => keyInLocalBucket({ bucket: 'udacity-dend', key: 'song_data' })).toThrow(/reads only s3:\/\/sparkify-local\//);
  });
});

describe('TIMESTAMP columns', () => {
  const column: StagingColumn = { name: 'modified_at', type: 'timestamp without time zone', nullable: false };

  it.each([
    ['YYYY-MM-DD HH24:MI:SS', '2018-11-30 23:05:09', '2018-11-30 23:05:09'],
    [DEFAULT_TIME_FORMAT, '2018-11-30 23:05:09', '2018-11-30 23:05:09'],
    ['DD.MM.YYYY HH:MI', '30.11.2018 07:05', '2018-11-30 07:05:00'],
  ])('read in TIMEFORMAT %s', (timeFormat, value, field) => {
    expect(fieldConverter(column, { timeFormat })(value)).toEqual({ field });
  });

  it.each([
    ['another layout', '2018/11/30 23:05:09'],
    ['a day the month lacks', '2018-02-30 00:00:00'],
    ['hour 24', '2018-11-30 24:00:00'],
    ['a number', 1_543_619_109],
  ])('reject %s', (_case, value) => {
    expect(fieldConverter(column, { timeFormat: 'YYYY-MM-DD HH24:MI:SS' })(value)).toEqual({
      error: `modified_at is not a timestamp in TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS': ${JSON.stringify(value)}`,
    });
  });

  it('refuses a TIMEFORMAT with parts it does not read, rather than misread values', () => {
    expect(() => fieldConverter(column, { timeFormat: 'MON DD YYYY' })).toThrow(/has MON, which the local COPY does not read/);
  });
});

describe('copyJsonFiles on PGlite', () => {
  let engine: LocalEngine;
  beforeAll(async () => {
    engine = await openPglite();
  });
  afterAll(async () => {
    await engine.close();
  });

  const fileList = [
    { file_key: 'log_data/a.json', size_bytes: 10, modified_at: '2018-11-30 23:05:09', rows_loaded: 4 },
    { file_key: 'log_data/b.json', size_bytes: 20, modified_at: '2018-12-01 00:00:00', rows_loaded: 0 },
  ];
  const copySql = (options: string) =>
    `COPY staging_files FROM 's3://runs/files.json' IAM_ROLE 'r' FORMAT AS JSON 'auto' TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS' ${options};`;

  it('loads a gzipped JSON-lines file into a temporary table, with its timestamps', async () => {
    const file = path.join(tempDir(), 'files.json.gz');
    writeFileSync(file, gzipSync(fileList.map((line) => JSON.stringify(line)).join('\n')));
    const rows = await engine.transaction(async (db) => {
      await db.query('CREATE TEMPORARY TABLE staging_files (file_key VARCHAR(1024) NOT NULL, size_bytes BIGINT NOT NULL, modified_at TIMESTAMP NOT NULL, rows_loaded BIGINT NOT NULL)');
      const outcome = await copyJsonFiles(db, parseCopyStatement(copySql('GZIP')), [file], 'auto');
      expect(outcome).toMatchObject({ rows: 2, rowsPerFile: [2], rejected: 0 });
      const loaded = await db.query("SELECT file_key, to_char(modified_at, 'YYYY-MM-DD HH24:MI:SS') AS modified_at FROM staging_files ORDER BY file_key");
      await db.query('DROP TABLE staging_files');
      return loaded;
    });
    expect(rows).toEqual(fileList.map(({ file_key, modified_at }) => ({ file_key, modified_at })));
  });

  it('reads a file read whole and one read in pieces alike: every record once, the hash of its bytes as stored', async () => {
    // Every line as long as the next, so the files' sizes fall where the test means them to.
    const record = (id: number) =>
      JSON.stringify({ file_key: `log_data/${String(id).padStart(7, '0')}.json`, size_bytes: 1_000_000 + id, modified_at: '2018-11-30 23:05:09', rows_loaded: 1_000_000 + id });
    const lines = (count: number) => Array.from({ length: count }, (_, id) => record(id)).join('\n');
    const perLine = record(0).length + 1;
    const dir = tempDir();
    const files = [
      ['small.json', lines(3)],
      ['at-the-limit.json', lines(Math.floor(READ_CHUNK_BYTES / perLine))],
      ['past-the-limit.json', lines(Math.ceil((3 * READ_CHUNK_BYTES) / perLine))],
      ['small.json.gz', gzipSync(lines(3))],
      ['large.json.gz', gzipSync(`${lines(Math.ceil((3 * READ_CHUNK_BYTES) / perLine))}\n${' '.repeat(2 * READ_CHUNK_BYTES)}`, { level: 1 })],
    ].map(([name, content]) => {
      const file = path.join(dir, name as string);
      writeFileSync(file, content);
      return file;
    });
    const sizes = files.map((file) => readFileSync(file).length);
    expect(sizes[1]).toBeLessThanOrEqual(READ_CHUNK_BYTES);
    expect(sizes[2]).toBeGreaterThan(READ_CHUNK_BYTES);
    const outcome = await engine.transaction(async (db) => {
      await db.query('CREATE TEMPORARY TABLE staging_files (file_key VARCHAR(1024) NOT NULL, size_bytes BIGINT NOT NULL, modified_at TIMESTAMP NOT NULL, rows_loaded BIGINT NOT NULL)');
      const copied = await copyJsonFiles(db, parseCopyStatement(copySql('')), files, 'auto', { chunkRows: 1000 });
      const [{ distinct }] = await db.query<{ distinct: number }>('SELECT COUNT(DISTINCT (size_bytes, rows_loaded))::int AS distinct FROM staging_files');
      await db.query('DROP TABLE staging_files');
      return { ...copied, distinct };
    });
    const expectedRows = files.map((file) => {
      const text = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8');
      return text.split('\n').filter((line) => line.trim() !== '').length;
    });
    expect(outcome.rowsPerFile).toEqual(expectedRows);
    expect(outcome.distinct).toBe(Math.max(...expectedRows));
    expect(outcome.contentHashes).toEqual(files.map((file) => createHash('sha256').update(readFileSync(file)).digest('hex')));
  });

  it('rejects a timestamp in another layout, past MAXERROR', async () => {
    const file = path.join(tempDir(), 'files.json');
    writeFileSync(file, JSON.stringify({ ...fileList[0], modified_at: '2018-11-30T23:05:09Z' }));
    const error = await engine
      .transaction(async (db) => {
        await db.query('CREATE TEMPORARY TABLE staging_files (file_key VARCHAR(1024), size_bytes BIGINT, modified_at TIMESTAMP, rows_loaded BIGINT)');
        return copyJsonFiles(db, parseCopyStatement(copySql('')), [file], 'auto');
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TooManyRejectsError);
    expect((error as TooManyRejectsError).rejects[0].reason).toBe(
      `modified_at is not a timestamp in TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS': "2018-11-30T23:05:09Z"`,
    );
  });

  it('says permission denied, not missing, for a table the user may not see', async () => {
    await engine.db.query('CREATE TABLE hidden (a INTEGER)');
    await engine.db.query('CREATE ROLE copy_test_stranger');
    const error = await engine
      .transaction(async (db) => {
        await db.query('SET LOCAL ROLE copy_test_stranger');
        return copyJsonFiles(db, parseCopyStatement("COPY hidden FROM 's3://b/k' IAM_ROLE 'r' FORMAT AS JSON 'auto';"), [], 'auto');
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('permission denied for table hidden');
  });
});
