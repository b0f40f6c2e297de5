import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { quoteLiteral } from '../sql/render';
import type { LocalDatabase } from './database';
import { readJsonRecords } from '../json/json-records';
import { parseJsonPaths, valueAt, type JsonPath } from './jsonpaths';
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
  /** The first rejected records, for the report. */
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

/** Where the local COPY reads from. */
export interface LocalCopyOptions {
  /** The folder standing for the source bucket. */
  readonly dataDir: string;
  /**
   * The files to read, as a COPY from a manifest would.
   * @default every `*.json` file under the statement's prefix
   */
  readonly files?: readonly string[];
  /** The JSONPaths file to use when the data folder has none at the key the COPY names. */
  readonly fallbackJsonPaths: string;
  /**
   * Rows per bulk COPY into the table.
   * @default 20000
   */
  readonly chunkRows?: number;
  /** Called after each file. */
  readonly onProgress?: (progress: CopyProgress) => void;
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
        rejects.map((reject) => `${reject.file}:${reject.line}: ${reject.reason}`).join('\n'),
    );
  }
}

/** The parts of a rendered COPY statement the local loader needs. */
export interface ParsedCopy {
  readonly table: string;
  /** The key prefix the COPY reads, within its bucket. */
  readonly fromKey: string;
  /** `auto` (keys match column names), or the key of a JSONPaths file. */
  readonly jsonFormat: 'auto' | { readonly jsonPathsKey: string };
  readonly maxErrors: number;
  /** Whether COPY refreshes the table's statistics afterwards (STATUPDATE ON). */
  readonly updateStatistics: boolean;
}

const LITERAL = "'((?:[^']|'')*)'";
const REPORTED_REJECTS = 5;

/** Reads the table, source, JSON format and MAXERROR of a COPY statement rendered from `sql/04_copy.sql`. */
export function parseCopyStatement(sql: string): ParsedCopy {
  const table = /^\s*COPY\s+(\w+)/i.exec(sql)?.[1];
  const from = new RegExp(`\\bFROM\\s+${LITERAL}`, 'i').exec(sql)?.[1];
  const format = new RegExp(`\\bFORMAT\\s+AS\\s+JSON\\s+${LITERAL}`, 'i').exec(sql)?.[1];
  const maxErrors = /\bMAXERROR\s+(\d+)/i.exec(sql)?.[1];
  if (!table || from === undefined || format === undefined) {
    throw new Error(`Not a COPY ... FROM '...' FORMAT AS JSON '...' statement: ${sql.slice(0, 80)}`);
  }
  const jsonFormat = unquote(format);
  return {
    table: table.toLowerCase(),
    fromKey: keyInLocalBucket(unquote(from)),
    jsonFormat: jsonFormat.toLowerCase() === 'auto' ? 'auto' : { jsonPathsKey: keyInLocalBucket(jsonFormat) },
    maxErrors: maxErrors === undefined ? 0 : Number(maxErrors),
    updateStatistics: /\bSTATUPDATE\s+(ON|TRUE)\b/i.test(sql),
  };
}

function unquote(literal: string): string {
  return literal.replace(/''/g, "'").replace(/\\\\/g, '\\');
}

function keyInLocalBucket(uri: string): string {
  const prefix = `s3://${LOCAL_BUCKET}/`;
  if (!uri.startsWith(prefix)) {
    throw new Error(`The local loader reads only ${prefix}... (the data folder), not ${uri}`);
  }
  return uri.slice(prefix.length);
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
  const columns = await stagingColumns(db, copy.table);
  const extract = recordExtractor(copy, columns, options);
  const files = options.files ?? listJsonFiles(path.join(options.dataDir, copy.fromKey));
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
    for await (const record of readJsonRecords(file)) {
      const row = 'error' in record ? { error: record.error } : extract(record.value);
      if ('error' in row) {
        rejected += 1;
        if (rejects.length < REPORTED_REJECTS) rejects.push({ file, line: record.line, reason: row.error });
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

async function stagingColumns(db: LocalDatabase, table: string): Promise<StagingColumn[]> {
  const rows = await db.query<{ column_name: string; data_type: string; is_nullable: string; max_length: number | null }>(
    `SELECT column_name, data_type, is_nullable, character_maximum_length AS max_length
     FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ${quoteLiteral(table)}
     ORDER BY ordinal_position`,
  );
  if (rows.length === 0) throw new Error(`COPY target table ${table} does not exist`);
  return rows.map((row) => ({
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
  options: LocalCopyOptions,
): (record: Record<string, unknown>) => RowOrError {
  const paths: JsonPath[] =
    copy.jsonFormat === 'auto'
      ? columns.map((column) => [column.name])
      : readJsonPaths(path.join(options.dataDir, copy.jsonFormat.jsonPathsKey), options.fallbackJsonPaths);
  if (paths.length !== columns.length) {
    throw new Error(`The JSONPaths file has ${paths.length} expressions; ${copy.table} has ${columns.length} columns`);
  }
  const converters = columns.map(fieldConverter);
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
