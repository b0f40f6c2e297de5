import { createGunzip, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { readJsonRecords } from '../json/json-records';

/**
 * Compaction: many small JSON source files (one song per file in the public dataset)
 * become a few gzip'd newline-delimited JSON files, so that COPY reads few, big files.
 * Plain code over a small {@link ObjectStore}: the Lambda gives it S3
 * (src/data-api/s3-files.ts), tests and the benchmark a folder.
 *
 * AWS: COPY does not split JSON or gzip'd files, so it loads one file per slice at a
 * time; files should be about equal in size, 1 MB–1 GB after compression (ideally
 * 1–125 MB), their number a multiple of the slices (Redshift dg,
 * c_best-practices-use-multiple-files, t_splitting-data-files). Each compacted file
 * holds at most {@link MAX_PART_SOURCE_BYTES} of source JSON, so it is within 125 MB
 * compressed whatever the ratio; a small catalogue gives one file per slice, each
 * smaller than 1 MB (fewer, bigger files would leave slices idle for no gain).
 */

/** An object a listing returns. */
export interface StoredObject {
  readonly key: string;
  readonly sizeBytes: number;
}

/** What compaction needs of a store of objects (S3, or a folder standing for it). */
export interface ObjectStore {
  /** Every object under a key prefix, in key order. */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /** An object's bytes, as a stream. */
  read(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Writes an object. */
  put(bucket: string, key: string, body: Buffer, contentType: string): Promise<void>;
}

/** Source JSON one compacted file holds at most (before compression): 64 MiB. */
export const MAX_PART_SOURCE_BYTES = 64 * 1024 * 1024;

/** The names compaction reads, as the local runner does: JSON or JSON lines, optionally gzip'd. */
const READABLE_NAME = /\.jsonl?(\.gz)?$/;

/** Whether compaction (and so the load) reads an object of this key. */
export function isReadableSourceKey(key: string): boolean {
  return READABLE_NAME.test(key);
}

/**
 * How many files `sourceBytes` of JSON compact into on a warehouse of `slices` slices:
 * a multiple of the slices, each file holding at most {@link MAX_PART_SOURCE_BYTES}.
 */
export function compactedFileCount(sourceBytes: number, slices: number): number {
  if (!Number.isInteger(slices) || slices < 1) throw new Error(`slices must be a positive whole number, got ${slices}`);
  return slices * Math.max(1, Math.ceil(sourceBytes / (slices * MAX_PART_SOURCE_BYTES)));
}

/**
 * Deals the files, in key order, into `count` runs of about equal bytes: a file goes to
 * the part its first byte falls in. Parts left empty (fewer files than parts) are dropped.
 */
export function assignParts<T extends StoredObject>(files: readonly T[], count: number): T[][] {
  const total = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const parts: T[][] = Array.from({ length: count }, () => []);
  let before = 0;
  for (const file of files) {
    const index = total === 0 ? 0 : Math.min(count - 1, Math.floor((before * count) / total));
    parts[index].push(file);
    before += file.sizeBytes;
  }
  return parts.filter((part) => part.length > 0);
}

/** Where a compaction reads and writes. */
export interface CompactionRequest {
  /** The bucket of the source files. */
  readonly sourceBucket: string;
  /** The source files (e.g. a listing's readable keys, or a scheduled run's new files). */
  readonly files: readonly StoredObject[];
  /** The bucket the compacted files and the manifest go to. */
  readonly targetBucket: string;
  /** The key prefix of the compacted files, e.g. `songs/<request id>/`. */
  readonly targetPrefix: string;
  /** The key of the COPY manifest listing them. */
  readonly manifestKey: string;
  /** The warehouse's slices: the file count is a multiple of it. */
  readonly slices: number;
  /** Records that are not JSON objects it may leave out before it fails (COPY's MAXERROR). */
  readonly maxErrors: number;
  /**
   * Source files read at once.
   * @default 32
   */
  readonly concurrency?: number;
}

/** One compacted file. */
export interface CompactedPart {
  readonly key: string;
  readonly sourceFiles: number;
  readonly records: number;
  readonly sourceBytes: number;
  readonly gzipBytes: number;
}

/** A record compaction left out: not a JSON object. */
export interface LeftOutRecord {
  readonly key: string;
  readonly line: number;
  readonly reason: string;
}

/** What a compaction wrote. */
export interface CompactionResult {
  /** `s3://` URI of the COPY manifest. */
  readonly manifestUri: string;
  readonly parts: readonly CompactedPart[];
  readonly leftOut: readonly LeftOutRecord[];
}

/** More records that are not JSON objects than MAXERROR allows. */
export class TooManyBadRecordsError extends Error {}

/**
 * Compacts the files into gzip'd JSON lines, one object a line, and writes a COPY
 * manifest of them. Streams: it holds one compacted file (at most
 * {@link MAX_PART_SOURCE_BYTES}, compressed) and the few source files being read, never
 * the catalogue. Records that are not JSON objects are left out and named; more than
 * `maxErrors` fail it, as COPY would.
 * @throws when there is no file, or too many records are not JSON objects
 */
export async function compactJsonFiles(store: ObjectStore, request: CompactionRequest): Promise<CompactionResult> {
  if (request.files.length === 0) throw new Error(`Nothing to compact: no .json, .jsonl or .json.gz file in s3://${request.sourceBucket}`);
  const files = [...request.files].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const sourceBytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const groups = assignParts(files, compactedFileCount(sourceBytes, request.slices));
  const leftOut: LeftOutRecord[] = [];
  const parts: CompactedPart[] = [];
  for (const [index, group] of groups.entries()) {
    const key = `${request.targetPrefix}part-${String(index + 1).padStart(5, '0')}-of-${String(groups.length).padStart(5, '0')}.json.gz`;
    const written = await compactPart(store, request, group, leftOut);
    if (leftOut.length > request.maxErrors) {
      const named = leftOut.slice(0, 5).map((record) => `s3://${request.sourceBucket}/${record.key} line ${record.line}: ${record.reason}`);
      throw new TooManyBadRecordsError(
        `${leftOut.length} record(s) are not JSON objects, more than MAXERROR (${request.maxErrors}) allows: ${named.join('; ')}. Fix or remove those files.`,
      );
    }
    await store.put(request.targetBucket, key, written.body, 'application/gzip');
    parts.push({ key, sourceFiles: group.length, records: written.records, sourceBytes: written.sourceBytes, gzipBytes: written.body.length });
  }
  const manifest = { entries: parts.map((part) => ({ url: `s3://${request.targetBucket}/${part.key}`, mandatory: true })) };
  await store.put(request.targetBucket, request.manifestKey, Buffer.from(JSON.stringify(manifest)), 'application/json');
  return { manifestUri: `s3://${request.targetBucket}/${request.manifestKey}`, parts, leftOut };
}

/** One compacted file's gzip'd bytes, from its source files read a few at a time, in order. */
async function compactPart(
  store: ObjectStore,
  request: CompactionRequest,
  files: readonly StoredObject[],
  leftOut: LeftOutRecord[],
): Promise<{ body: Buffer; records: number; sourceBytes: number }> {
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  let records = 0;
  let sourceBytes = 0;
  for await (const { file, bytes } of readInOrder(store, request.sourceBucket, files, request.concurrency ?? 32)) {
    sourceBytes += bytes.length;
    const stream = Readable.from([bytes]);
    const text = file.key.endsWith('.gz') ? stream.pipe(createGunzip()) : stream;
    const lines: string[] = [];
    for await (const record of readJsonRecords(text)) {
      if ('value' in record) lines.push(JSON.stringify(record.value));
      else leftOut.push({ key: file.key, line: record.line, reason: record.error });
    }
    records += lines.length;
    if (lines.length > 0 && !gzip.write(`${lines.join('\n')}\n`)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await finished;
  return { body: Buffer.concat(chunks), records, sourceBytes };
}

/** The files' bytes in the given order, with up to `concurrency` reads under way. */
async function* readInOrder(
  store: ObjectStore,
  bucket: string,
  files: readonly StoredObject[],
  concurrency: number,
): AsyncGenerator<{ file: StoredObject; bytes: Buffer }> {
  const readAll = async (file: StoredObject) => {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.read(bucket, file.key)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  };
  const pending: Promise<Buffer>[] = [];
  let next = 0;
  const fill = () => {
    while (next < files.length && pending.length < concurrency) {
      const read = readAll(files[next]);
      // A read that fails is awaited (and throws) in its turn; this keeps it from being unhandled meanwhile.
      read.catch(() => undefined);
      pending.push(read);
      next += 1;
    }
  };
  fill();
  for (let index = 0; index < files.length; index += 1) {
    const bytes = await (pending.shift() as Promise<Buffer>);
    fill();
    yield { file: files[index], bytes };
  }
}
