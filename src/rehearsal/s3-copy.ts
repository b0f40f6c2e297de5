import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { parseJsonPaths } from '../local/jsonpaths';
import { copyJsonFiles, parseCopyStatement, parseS3Uri, TooManyRejectsError, type CopyOutcome, type S3Location } from '../local/local-copy';
import { segmentSql } from '../sql/lexer';

/**
 * COPY as Redshift runs it, from local folders that stand for S3 buckets (an object's
 * key is its path under its bucket's folder): FROM a key prefix loads every object whose
 * key starts with it, FROM a MANIFEST the objects it lists; the JSONPaths file is an
 * object too. What is missing fails the COPY with an error worded as Redshift words it;
 * so does a gzip'd object (`.gz`) read without GZIP, which Redshift would parse as text.
 */

/** The folder standing for a bucket, or undefined for a bucket that does not exist. */
export type BucketFolders = (bucket: string) => string | undefined;

/** What a COPY read: its table and the `s3://` URIs of the objects it loaded, in order. */
export interface CopyRead {
  readonly table: string;
  readonly objects: readonly string[];
}

/** Whether a statement is a COPY, which reads S3 and so is not sent to Postgres. */
export function isCopyStatement(sql: string): boolean {
  const code = segmentSql(sql).filter((segment) => segment.kind === 'code').map((segment) => segment.text).join(' ');
  return /^\s*COPY\b/i.test(code);
}

/**
 * Runs a COPY statement on the session `db`, as its user: the table must be writable by
 * that user. More rejected records than MAXERROR fail it as Redshift's load error does.
 */
export async function copyFromBuckets(db: LocalDatabase, sql: string, bucketFolder: BucketFolders): Promise<CopyOutcome & CopyRead> {
  const copy = parseCopyStatement(sql);
  const objects = copy.manifest ? manifestObjects(copy.from, bucketFolder) : objectsUnder(copy.from, bucketFolder);
  const gzipped = [...objects.values()].find((uri) => uri.endsWith('.gz'));
  if (!copy.gzip && gzipped) {
    throw new Error(`Load into table '${copy.table}' failed. Check 'sys_load_error_detail' for details. ${gzipped} is gzip-compressed and the COPY has no GZIP`);
  }
  const jsonPaths =
    copy.jsonFormat === 'auto' ? 'auto' : parseJsonPaths(readFileSync(objectFile(copy.jsonFormat.jsonPaths, bucketFolder), 'utf8'), s3Uri(copy.jsonFormat.jsonPaths));
  try {
    return { ...(await copyJsonFiles(db, copy, [...objects.keys()], jsonPaths)), objects: [...objects.values()] };
  } catch (error) {
    if (!(error instanceof TooManyRejectsError)) throw error;
    const rejects = error.rejects.map((reject) => `${objects.get(reject.file)}, line ${reject.line}: ${reject.reason}`);
    throw new Error(`Load into table '${copy.table}' failed. Check 'sys_load_error_detail' for details. Rejected: ${rejects.join('; ')}`);
  }
}

/** Every object whose key starts with the prefix, in key order: local file → its s3:// URI. */
function objectsUnder(prefix: S3Location, bucketFolder: BucketFolders): Map<string, string> {
  const folder = bucketPath(prefix.bucket, bucketFolder);
  const keys = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((key) => key.startsWith(prefix.key))
    .sort();
  if (keys.length === 0) throw new Error(`The specified S3 prefix '${prefix.key}' does not exist`);
  return new Map(keys.map((key) => [path.join(folder, key), s3Uri({ bucket: prefix.bucket, key })]));
}

/** The objects a COPY manifest lists; a mandatory one that is missing fails the COPY. */
function manifestObjects(manifest: S3Location, bucketFolder: BucketFolders): Map<string, string> {
  const entries = manifestEntries(readFileSync(objectFile(manifest, bucketFolder), 'utf8'), s3Uri(manifest));
  const objects = new Map<string, string>();
  for (const entry of entries) {
    const location = parseS3Uri(entry.url);
    const file = path.join(bucketPath(location.bucket, bucketFolder), location.key);
    if (existsSync(file) && statSync(file).isFile()) objects.set(file, entry.url);
    else if (entry.mandatory) throw new Error(`Manifest file ${s3Uri(manifest)} lists mandatory file ${entry.url}, which does not exist`);
  }
  return objects;
}

interface ManifestEntry {
  readonly url: string;
  readonly mandatory: boolean;
}

function manifestEntries(text: string, uri: string): ManifestEntry[] {
  let entries: unknown;
  try {
    entries = (JSON.parse(text) as { entries?: unknown }).entries;
  } catch (error) {
    throw new Error(`Manifest file ${uri} is not valid JSON: ${(error as Error).message}`);
  }
  const valid = (entry: unknown) =>
    typeof (entry as ManifestEntry)?.url === 'string' && ['boolean', 'undefined'].includes(typeof (entry as ManifestEntry).mandatory);
  if (!Array.isArray(entries) || !entries.every(valid)) {
    throw new Error(`Manifest file ${uri} is not {"entries": [{"url": "s3://...", "mandatory": true}, ...]}`);
  }
  // COPY fails on a manifest that lists no file (sql/scheduled/04_copy_events.sql relies on it).
  if (entries.length === 0) throw new Error(`Manifest file ${uri} lists no file`);
  return entries.map((entry: ManifestEntry) => ({ url: entry.url, mandatory: entry.mandatory ?? false }));
}

/** The local file of one object. */
function objectFile(location: S3Location, bucketFolder: BucketFolders): string {
  const file = path.join(bucketPath(location.bucket, bucketFolder), location.key);
  if (location.key === '' || !existsSync(file) || !statSync(file).isFile()) {
    throw new Error(`S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey: ${s3Uri(location)}`);
  }
  return file;
}

function bucketPath(bucket: string, bucketFolder: BucketFolders): string {
  const folder = bucketFolder(bucket);
  if (folder === undefined || !existsSync(folder)) {
    throw new Error(`S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket: ${bucket}`);
  }
  return folder;
}

function s3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
