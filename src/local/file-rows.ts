import { closeSync, createReadStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readJsonRecordBatches } from '../json/json-records';
import { valueAt, type JsonPath } from './jsonpaths';
import { csvField, type StagingColumn } from './staging-columns';

/** How the records of a COPY's files become rows of its table: plain data, so a worker thread can take it. */
export interface RowSpec {
  readonly table: string;
  /** The table's columns, in order. */
  readonly columns: readonly StagingColumn[];
  /** Where each column's value is in a record, one path per column. */
  readonly paths: readonly JsonPath[];
  /** COPY's TIMEFORMAT, when the statement gives one. */
  readonly timeFormat?: string;
  /** Every file is gzip-compressed (GZIP); otherwise only those whose name ends in `.gz`. */
  readonly gzip: boolean;
}

/** A record of a file that does not become a row, and why. */
export interface RecordReject {
  readonly line: number;
  readonly reason: string;
}

/**
 * Rows of one file, in the order read: `csv` holds `rows` CSV lines in UTF-8, each
 * ending in `\n`; `rejects` the records between them that did not fit. The last batch of a file
 * carries the SHA-256 (hex) of the file's bytes as read (compressed as stored).
 */
export interface RowBatch {
  /** The file's position in the COPY's list. */
  readonly fileIndex: number;
  /** A view of its own ArrayBuffer, which a worker can hand over without a copy. */
  readonly csv: Uint8Array;
  readonly rows: number;
  readonly rejects: readonly RecordReject[];
  /** The bytes of the file read so far, as stored (compressed, for a gzip'd file): all of them on its last batch. */
  readonly bytesRead: number;
  /** Set on the file's last batch only. */
  readonly contentHash?: string;
}

/** One record as a CSV line (without its `\n`), or why it does not fit the table. */
export type RowOrError = { readonly csv: string } | { readonly error: string };

/**
 * Makes records into CSV lines for the table: by position, each column's value at its
 * path, typed as Redshift's COPY would type it (see `fieldConverter`).
 */
export function rowMaker(spec: RowSpec): (record: Record<string, unknown>) => RowOrError {
  if (spec.paths.length !== spec.columns.length) {
    throw new Error(`The JSONPaths file has ${spec.paths.length} expressions; ${spec.table} has ${spec.columns.length} columns`);
  }
  const converters = spec.columns.map((column) => csvField(column, { timeFormat: spec.timeFormat }));
  const paths = spec.paths;
  const flat = paths.map((jsonPath) => (jsonPath.length === 1 ? jsonPath[0] : undefined));
  return (record) => {
    let csv = '';
    for (let index = 0; index < converters.length; index += 1) {
      const key = flat[index];
      const field = converters[index](key === undefined ? valueAt(record, paths[index]) : record[key]);
      if (typeof field !== 'string') return field;
      csv += index === 0 ? field : `,${field}`;
    }
    return { csv };
  };
}

/** Bytes read from a file at a time; a file no larger is read whole, at once. */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * The rows of one file (gunzipped with `spec.gzip` or a name ending in `.gz`) in
 * batches of about `batchRows` rows, its bytes hashed as read. Reading waits while a
 * batch is not taken, so memory stays flat whatever the file's size.
 */
export async function* fileRows(
  file: string,
  fileIndex: number,
  spec: RowSpec,
  batchRows: number,
  makeRow: (record: Record<string, unknown>) => RowOrError = rowMaker(spec),
): AsyncGenerator<RowBatch> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  const stored = storedBytes(file, (piece) => {
    hash.update(piece);
    bytesRead += piece.length;
  });
  const csv = new CsvBuffer(Math.min(stored.size, CSV_BUFFER_BYTES));
  let rows = 0;
  let rejects: RecordReject[] = [];
  const gzip = spec.gzip || file.endsWith('.gz');
  for await (const records of readJsonRecordBatches(gzip ? stored.stream().pipe(createGunzip()) : stored.pieces)) {
    for (const record of records) {
      const row = 'error' in record ? record : makeRow(record.value);
      if ('error' in row) {
        rejects.push({ line: record.line, reason: row.error });
        continue;
      }
      csv.writeLine(row.csv);
      rows += 1;
      if (rows >= batchRows) {
        yield { fileIndex, csv: csv.take(), rows, rejects, bytesRead };
        rows = 0;
        rejects = [];
      }
    }
  }
  yield { fileIndex, csv: csv.take(), rows, rejects, bytesRead, contentHash: hash.digest('hex') };
}

/** A file's bytes as stored, each piece handed to `onPiece` as it is read. */
interface StoredBytes {
  /** The file's size when opened. */
  readonly size: number;
  readonly pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** The pieces as a stream, to pipe through a decompressor. */
  stream(): Readable;
}

/**
 * Opens `file` and reads its bytes: a file of at most {@link READ_CHUNK_BYTES} at once
 * and synchronously, a larger one as a stream of such pieces. A catalogue holds one tiny
 * file per song; streaming each (a 1 MB read buffer, four round trips through the
 * thread pool, an async iterator) cost 0.8 ms a file; read whole, 0.03 ms.
 */
function storedBytes(file: string, onPiece: (piece: Buffer) => void): StoredBytes {
  const fd = openSync(file, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  if (size > READ_CHUNK_BYTES) {
    const stream = createReadStream(file, { fd, highWaterMark: READ_CHUNK_BYTES }).on('data', (piece) => onPiece(piece as Buffer));
    return { size, pieces: stream, stream: () => stream };
  }
  let whole: Buffer;
  try {
    whole = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  onPiece(whole);
  return { size, pieces: [whole], stream: () => Readable.from([whole]) };
}

/**
 * CSV lines written as UTF-8 as they come. Each line's string is short-lived: a batch
 * held as one long string would be a rope of a million pieces, which outlives the
 * young generation and made garbage collection most of the parse time.
 */
class CsvBuffer {
  private buffer: Buffer;
  private length = 0;

  /** @param initialBytes room to start with; a small file's lines need no more than its size */
  constructor(initialBytes: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(initialBytes, MIN_CSV_BUFFER_BYTES));
  }

  writeLine(line: string): void {
    // At most 3 bytes per UTF-16 unit, and the newline.
    const most = line.length * 3 + 1;
    if (this.length + most > this.buffer.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(2 * this.buffer.length, this.length + most));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    this.length += this.buffer.write(line, this.length, 'utf8');
    this.buffer[this.length] = NEWLINE;
    this.length += 1;
  }

  /** The lines written since the last take, copied into an ArrayBuffer of their own; the buffer is written again from its start. */
  take(): Uint8Array {
    const taken = Buffer.allocUnsafeSlow(this.length);
    this.buffer.copy(taken, 0, 0, this.length);
    this.length = 0;
    return taken;
  }
}

const CSV_BUFFER_BYTES = 1 << 20;
const MIN_CSV_BUFFER_BYTES = 1 << 10;
const NEWLINE = 0x0a;
