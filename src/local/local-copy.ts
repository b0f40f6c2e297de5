import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { segmentSql, type SqlSegment } from '../sql/lexer';
import { quoteLiteral } from '../sql/render';
import type { LocalDatabase } from './database';
import { readJsonRecords } from '../json/json-records';
import { parseJsonPaths, valueAt, type JsonPath } from './jsonpaths';
import { rejectLines } from './reject-lines';
import { fieldConverter, type StagingColumn } from './staging-columns';

/** The bucket name the local runner renders into COPY; its keys are paths under the data folder. */
export const LOCAL_BUCKET = 'sparkify-local';

/** A record a COPY rejected, and why. */
export interface RejectedRecord {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** What one COPY did. */
export interface CopyOutcome {
  readonly table: string;
  /** Rows loaded into the table. */
  readonly rows: number;
  /** Rows loaded from each file, in the order of the files given. */
  readonly rowsPerFile: readonly number[];
  /** How many records were rejected (at most the COPY's MAXERROR). */
  readonly rejected: number;
  /** Every rejected record, in the order read. */
  readonly rejects: readonly RejectedRecord[];
  /** Seconds spent in the bulk COPY into the table and its statistics (the rest is reading and typing). */
  readonly copySeconds: number;
}

/** Progress of a COPY, reported after each file. */
export interface CopyProgress {
  readonly table: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly rows: number;
}

/** How a COPY loads its files, wherever they were found. */
export interface CopyFilesOptions {
  /**
   * Rows per bulk COPY into the table.
   * @default 20000
   */
  readonly chunkRows?: number;
  /** Called after each file. */
  readonly onProgress?: (progress: CopyProgress) => void;
}

/** Where the local COPY reads from. */
export interface LocalCopyOptions extends CopyFilesOptions {
  /** The folder standing for the source bucket. */
  readonly dataDir: string;
  /**
   * The files to read, as a COPY from a manifest would.
   * @default every `*.json` file under the statement's prefix
   */
  readonly files?: readonly string[];
  /** The JSONPaths file to use when the data folder has none at the key the COPY names. */
  readonly fallbackJsonPaths: string;
}

/** Thrown when a COPY rejects more records than its MAXERROR allows. */
export class TooManyRejectsError extends Error {
  constructor(
    readonly table: string,
    readonly maxErrors: number,
    readonly rejects: readonly RejectedRecord[],
  ) {
    super(
      `COPY ${table} rejected more than ${maxErrors} record(s) (MAXERROR ${maxErrors}); nothing was loaded:\n` +
        rejectLines(rejects).join('\n'),
    );
  }
}

/** An S3 object or key prefix: its bucket and key. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** The parts of a COPY statement the local loaders need. */
export interface ParsedCopy {
  readonly table: string;
  /** What FROM names: a key prefix, or with `manifest` the manifest object. */
  readonly from: S3Location;
  /** FROM names a manifest listing the files to read (MANIFEST), not a key prefix. */
  readonly manifest: boolean;
  /** `auto` (keys match column names), or where the JSONPaths file is. */
  readonly jsonFormat: 'auto' | { readonly jsonPaths: S3Location };
  /** The files are gzip-compressed (GZIP). */
  readonly gzip: boolean;
  /** How TIMESTAMP values are written (TIMEFORMAT), when the statement says. */
  readonly timeFormat?: string;
  readonly maxErrors: number;
  /** Whether COPY refreshes the table's statistics afterwards (STATUPDATE ON). */
  readonly updateStatistics: boolean;
}

/**
 * Reads a COPY ... FROM 's3://...' FORMAT AS JSON '...' statement (as `sql/04_copy.sql`
 * and `sql/scheduled/` render them): its table, source, JSON format, options and MAXERROR.
 * Keywords count only in code, never inside a literal or comment.
 */
export function parseCopyStatement(sql: string): ParsedCopy {
  const segments = segmentSql(sql).filter((segment) => segment.kind !== 'comment');
  const code = segments.map((segment) => (segment.kind === 'code' ? segment.text : "''")).join('');
  const table = /^\s*COPY\s+(\w+)/i.exec(code)?.[1];
  const from = literalAfter(segments, 'FROM');
  const format = literalAfter(segments, 'FORMAT\\s+AS\\s+JSON');
  if (!table || from === undefined || format === undefined) {
    throw new Error(`Not a COPY ... FROM '...' FORMAT AS JSON '...' statement: ${sql.slice(0, 80)}`);
  }
  const maxErrors = /\bMAXERROR\s+(\d+)/i.exec(code)?.[1];
  return {
    table: table.toLowerCase(),
    from: parseS3Uri(from),
    manifest: /\bMANIFEST\b/i.test(code),
    jsonFormat: format.toLowerCase() === 'auto' ? 'auto' : { jsonPaths: parseS3Uri(format) },
    gzip: /\bGZIP\b/i.test(code),
    timeFormat: literalAfter(segments, 'TIMEFORMAT'),
    maxErrors: maxErrors === undefined ? 0 : Number(maxErrors),
    updateStatistics: /\bSTATUPDATE\s+(ON|TRUE)\b/i.test(code),
  };
}

/** The value of the string literal right after `keyword` (a regular expression) in code. */
function literalAfter(segments: readonly SqlSegment[], keyword: string): string | undefined {
  const before = new RegExp(`\\b${keyword}\\s+$`, 'i');
  for (let index = 0; index + 1 < segments.length; index += 1) {
    const next = segments[index + 1];
    if (segments[index].kind === 'code' && before.test(segments[index].text) && next.text.startsWith("'")) {
      return unquote(next.text.slice(1, -1));
    }
  }
  return undefined;
}

function unquote(literal: string): string {
  return literal.replace(/''/g, "'").replace(/\\\\/g, '\\');
}

/** The bucket and key of an `s3://bucket/key` URI. */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`COPY reads s3://bucket/key, not ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/**
 * The key of a COPY's location within {@link LOCAL_BUCKET}, which stands for the local runner's data folder.
 * @throws for any other bucket
 */
export function keyInLocalBucket(location: S3Location): string {
  if (location.bucket !== LOCAL_BUCKET) {
    throw new Error(`The local loader reads only s3://${LOCAL_BUCKET}/... (the data folder), not s3://${location.bucket}/${location.key}`);
  }
  return location.key;
}

/** Runs one COPY statement of the plan against local files (see {@link runCopyLocally}). */
export type LocalCopyRunner = (db: LocalDatabase, copySql: string, options: LocalCopyOptions) => Promise<CopyOutcome>;

/**
 * Runs a COPY statement against local files: reads the given files (by default every
 * `*.json` file under the statement's prefix, recursively, in path order), types each
 * record for the table's columns and bulk-loads the rows in chunks, then updates the
 * table's statistics if the statement says STATUPDATE ON. Records that don't parse or don't fit are
 * rejected; more than MAXERROR rejects stops the COPY with {@link TooManyRejectsError}.
 */
export async function runCopyLocally(db: LocalDatabase, copySql: string, options: LocalCopyOptions): Promise<CopyOutcome> {
  const copy = parseCopyStatement(copySql);
  const files = options.files ?? listJsonFiles(path.join(options.dataDir, keyInLocalBucket(copy.from)));
  const jsonPaths =
    copy.jsonFormat === 'auto'
      ? 'auto'
      : readJsonPaths(path.join(options.dataDir, keyInLocalBucket(copy.jsonFormat.jsonPaths)), options.fallbackJsonPaths);
  return copyJsonFiles(db, copy, files, jsonPaths, options);
}

/**
 * Loads the JSON records of `files` (gunzipped with GZIP) into the COPY's table, each
 * typed for its column: by name with `auto`, else by position through `jsonPaths`;
 * then updates the table's statistics if the statement says STATUPDATE ON. Records that
 * don't parse or don't fit are rejected; more than MAXERROR rejects stops the COPY with
 * {@link TooManyRejectsError}. Runs as the session's user: the table must be writable by it.
 */
export async function copyJsonFiles(
  db: LocalDatabase,
  copy: ParsedCopy,
  files: readonly string[],
  jsonPaths: readonly JsonPath[] | 'auto',
  options: CopyFilesOptions = {},
): Promise<CopyOutcome> {
  const columns = await stagingColumns(db, copy.table);
  const extract = recordExtractor(copy, columns, jsonPaths);
  const chunkRows = options.chunkRows ?? 20_000;
  const rejects: RejectedRecord[] = [];
  let rejected = 0;
  let rows = 0;
  let copySeconds = 0;
  const rowsPerFile: number[] = [];
  let chunk: string[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const started = performance.now();
    await db.copyCsv(
      copy.table,
      columns.map((column) => column.name),
      chunk.join('\n') + '\n',
    );
    copySeconds += (performance.now() - started) / 1000;
    rows += chunk.length;
    chunk = [];
  };
  for (const [done, file] of files.entries()) {
    const rowsBefore = rows + chunk.length;
    for await (const record of readJsonRecords(copy.gzip ? createReadStream(file).pipe(createGunzip()) : file)) {
      const row = 'error' in record ? { error: record.error } : extract(record.value);
      if ('error' in row) {
        rejected += 1;
        rejects.push({ file, line: record.line, reason: row.error });
        if (rejected > copy.maxErrors) throw new TooManyRejectsError(copy.table, copy.maxErrors, rejects);
        continue;
      }
      chunk.push(row.csv);
      if (chunk.length >= chunkRows) await flush();
    }
    rowsPerFile.push(rows + chunk.length - rowsBefore);
    options.onProgress?.({ table: copy.table, filesDone: done + 1, filesTotal: files.length, rows: rows + chunk.length });
  }
  await flush();
  if (copy.updateStatistics) {
    const started = performance.now();
    await db.query(`ANALYZE ${copy.table}`);
    copySeconds += (performance.now() - started) / 1000;
  }
  return { table: copy.table, rows, rowsPerFile, rejected, rejects, copySeconds };
}

/**
 * The columns of the COPY's table as the session resolves its name (a temporary table
 * first), as far as the session's user may see them.
 */
async function stagingColumns(db: LocalDatabase, table: string): Promise<StagingColumn[]> {
  const relation = `to_regclass(${quoteLiteral(table)})`;
  const rows = await db.query<{ column_name: string; data_type: string; is_nullable: string; max_length: number | null }>(
    `SELECT column_name, data_type, is_nullable, character_maximum_length AS max_length
     FROM information_schema.columns
     WHERE table_schema = (SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = ${relation})
       AND table_name = ${quoteLiteral(table)}
     ORDER BY ordinal_position`,
  );
  if (rows.length === 0) {
    // information_schema shows only the columns of tables the user has some privilege on.
    const [{ exists }] = await db.query<{ exists: boolean }>(`SELECT ${relation} IS NOT NULL AS exists`);
    throw new Error(exists ? `permission denied for table ${table}` : `COPY target table ${table} does not exist`);
  }
  return rows.map((row) => ({
    table,
    name: row.column_name,
    type: row.data_type,
    nullable: row.is_nullable === 'YES',
    maxBytes: row.max_length ?? undefined,
  }));
}

type RowOrError = { readonly csv: string } | { readonly error: string };

function recordExtractor(
  copy: ParsedCopy,
  columns: readonly StagingColumn[],
  jsonPaths: readonly JsonPath[] | 'auto',
): (record: Record<string, unknown>) => RowOrError {
  const paths = jsonPaths === 'auto' ? columns.map((column) => [column.name]) : jsonPaths;
  if (paths.length !== columns.length) {
    throw new Error(`The JSONPaths file has ${paths.length} expressions; ${copy.table} has ${columns.length} columns`);
  }
  const converters = columns.map((column) => fieldConverter(column, { timeFormat: copy.timeFormat }));
  return (record) => {
    let csv = '';
    for (let index = 0; index < converters.length; index += 1) {
      const converted = converters[index](valueAt(record, paths[index]));
      if ('error' in converted) return { error: converted.error };
      csv += index === 0 ? converted.field : `,${converted.field}`;
    }
    return { csv };
  };
}

function readJsonPaths(file: string, fallback: string): JsonPath[] {
  const chosen = existsSync(file) ? file : fallback;
  return parseJsonPaths(readFileSync(chosen, 'utf8'), chosen);
}

/** Every `*.json` file under `root`, recursively, in path order. */
export function listJsonFiles(root: string): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`No source folder ${root}: the data folder needs song_data/ and log_data/`);
  }
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
