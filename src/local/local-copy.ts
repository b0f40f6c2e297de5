import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { segmentSql, type SqlSegment } from '../sql/lexer';
import { quoteLiteral } from '../sql/render';
import type { LocalDatabase } from './database';
import { defaultParseWorkers, fileBatches } from './file-batches';
import { rowMaker, type RowSpec } from './file-rows';
import { parseJsonPaths, type JsonPath } from './jsonpaths';
import { rejectLines } from './reject-lines';
import type { StagingColumn } from './staging-columns';

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
  /**
   * The SHA-256 (hex) of the bytes read from each file, compressed as stored, in the order
   * of the files given: what this COPY parsed, whatever the file holds now.
   */
  readonly contentHashes: readonly string[];
  /** How many records were rejected (at most the COPY's MAXERROR). */
  readonly rejected: number;
  /** Every rejected record, in the order read. */
  readonly rejects: readonly RejectedRecord[];
  /** Seconds spent in the bulk COPY into the table and its statistics (the rest is reading and typing). */
  readonly copySeconds: number;
}

/** How a COPY loads its files, wherever they were found. */
export interface CopyFilesOptions {
  /**
   * Rows per bulk COPY into the table.
   * @default 20000
   */
  readonly chunkRows?: number;
  /**
   * Called as each piece of a file is read, with its size and the file: bytes as stored
   * (compressed, for a gzip'd file), so the pieces of a file add up to its size.
   */
  readonly onBytesRead?: (bytes: number, file: string) => void;
  /**
   * Stops the COPY before its next chunk of rows or file once aborted, throwing its reason.
   * @default never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * Worker threads that read, parse and type the files while this thread runs the COPY
   * (0: parse here, taking turns with the COPY).
   * @default none below 32 MB of files, else one per core, but one for PGlite (see defaultParseWorkers)
   */
  readonly parseWorkers?: number;
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
 * Loads the JSON records of `files` (gunzipped with GZIP, or when a name ends in `.gz`) into the COPY's table, each
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
  const spec: RowSpec = {
    table: copy.table,
    columns,
    paths: jsonPaths === 'auto' ? columns.map((column) => [column.name]) : jsonPaths,
    timeFormat: copy.timeFormat,
    gzip: copy.gzip,
  };
  rowMaker(spec); // fails here, before any file is read, on a JSONPaths file that does not fit or a TIMEFORMAT not read
  const chunkRows = options.chunkRows ?? 20_000;
  const workers = options.parseWorkers ?? defaultParseWorkers(sum(files.map((file) => statSync(file).size)), db.runsOnThisThread);
  const rejects: RejectedRecord[] = [];
  const rowsPerFile: number[] = [];
  const contentHashes: string[] = [];
  let rows = 0;
  let copySeconds = 0;
  let chunk: Uint8Array[] = [];
  let chunkRowCount = 0;
  const flush = async () => {
    options.signal?.throwIfAborted();
    if (chunkRowCount === 0) return;
    const started = performance.now();
    await db.copyCsv(
      copy.table,
      columns.map((column) => column.name),
      Buffer.concat(chunk),
    );
    copySeconds += (performance.now() - started) / 1000;
    rows += chunkRowCount;
    chunk = [];
    chunkRowCount = 0;
  };
  let fileRowCount = 0;
  let fileBytesReported = 0;
  for await (const batch of fileBatches(files, spec, { batchRows: chunkRows, workers })) {
    const file = files[batch.fileIndex];
    options.onBytesRead?.(batch.bytesRead - fileBytesReported, file);
    fileBytesReported = batch.contentHash === undefined ? batch.bytesRead : 0;
    for (const reject of batch.rejects) {
      rejects.push({ file, line: reject.line, reason: reject.reason });
      if (rejects.length > copy.maxErrors) throw new TooManyRejectsError(copy.table, copy.maxErrors, rejects);
    }
    chunk.push(batch.csv);
    chunkRowCount += batch.rows;
    fileRowCount += batch.rows;
    if (chunkRowCount >= chunkRows) await flush();
    if (batch.contentHash === undefined) continue;
    rowsPerFile.push(fileRowCount);
    contentHashes.push(batch.contentHash);
    fileRowCount = 0;
    options.signal?.throwIfAborted();
  }
  await flush();
  if (copy.updateStatistics) {
    const started = performance.now();
    await db.query(`ANALYZE ${copy.table}`);
    copySeconds += (performance.now() - started) / 1000;
  }
  return { table: copy.table, rows, rowsPerFile, contentHashes, rejected: rejects.length, rejects, copySeconds };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
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

function readJsonPaths(file: string, fallback: string): JsonPath[] {
  const chosen = existsSync(file) ? file : fallback;
  return parseJsonPaths(readFileSync(chosen, 'utf8'), chosen);
}

/** A file under a COPY's prefix that the local COPY does not read, and why. */
export interface UnreadFile {
  /** Its path, with bytes that are not UTF-8 written as `\xNN`. */
  readonly file: string;
  readonly reason: string;
}

/** What is under a COPY's prefix: the files it reads and those it names as not read. */
export interface SourceListing {
  /** Files to read, in path order. */
  readonly files: readonly string[];
  /** Files not read, each with its reason, in path order. */
  readonly unread: readonly UnreadFile[];
}

/** The names the local COPY reads: JSON, JSON lines, each optionally gzip-compressed. */
const READABLE_NAME = /\.jsonl?(\.gz)?$/;

/**
 * The longest key `load_manifest.file_key` holds, in bytes: 1024, as the longest S3
 * object key (see docs/AWS-FACTS.md), so a key the deploy could never read is not one a
 * local load takes either.
 */
export const MAX_KEY_BYTES = 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every file under `root`, recursively: `*.json`, `*.jsonl`, `*.json.gz` and
 * `*.jsonl.gz` files to read, and every other entry named with why it is not read: any
 * other name, a name that is not UTF-8, a key (its path under `keyRoot`) longer than
 * {@link MAX_KEY_BYTES}, a symbolic link to a folder or to something outside `keyRoot`.
 * A symbolic link to a file inside `keyRoot` is read as that file.
 * @param keyRoot the data folder that keys are relative to
 * @default keyRoot `root`
 */
export function listSourceFiles(root: string, keyRoot: string = root): SourceListing {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(`No source folder ${root}: the data folder needs song_data/ and log_data/`);
  }
  const realKeyRoot = realpathSync(keyRoot);
  const files: string[] = [];
  const unread: UnreadFile[] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      const name = utf8Name(entry.name);
      if (name === undefined) {
        const shown = path.join(dir, printableName(entry.name));
        unread.push({ file: shown, reason: 'its name is not valid UTF-8 (an S3 key is UTF-8); rename it to load it' });
        continue;
      }
      const file = path.join(dir, name);
      if (entry.isDirectory()) {
        visit(file);
        continue;
      }
      const reason = unreadReason(file, entry, realKeyRoot, keyRoot);
      if (reason) unread.push({ file, reason });
      else files.push(file);
    }
  };
  visit(root);
  // Full paths in string order, as the load has always read them (a folder's files may
  // sort after a file beside it).
  return { files: files.sort(), unread: unread.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)) };
}

/** Why the local COPY does not read `file`, or undefined when it does. */
function unreadReason(file: string, entry: Dirent<Buffer>, realKeyRoot: string, keyRoot: string): string | undefined {
  if (!READABLE_NAME.test(file)) return 'not a .json, .jsonl or .json.gz file';
  const keyBytes = Buffer.byteLength(path.relative(keyRoot, file).split(path.sep).join('/'));
  if (keyBytes > MAX_KEY_BYTES) return `its key is ${keyBytes} bytes, longer than the ${MAX_KEY_BYTES} an S3 key (and load_manifest) holds`;
  if (entry.isFile()) return undefined;
  if (!entry.isSymbolicLink()) return 'not a regular file';
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    return 'a symbolic link to nothing';
  }
  if (!statSync(target).isFile()) return 'a symbolic link to something that is not a file';
  const inside = path.relative(realKeyRoot, target);
  if (inside.startsWith('..') || path.isAbsolute(inside)) return `a symbolic link to ${target}, outside the data folder`;
  return undefined;
}

function utf8Name(name: Buffer): string | undefined {
  try {
    return strictUtf8.decode(name);
  } catch {
    return undefined;
  }
}

/** A file name with each byte that is not printable ASCII written as `\xNN`. */
function printableName(name: Buffer): string {
  return [...name].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}

/** The files under `root` that the local COPY reads (see {@link listSourceFiles}). */
export function listJsonFiles(root: string): string[] {
  return [...listSourceFiles(root).files];
}
