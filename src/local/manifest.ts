import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { decideFiles, type FileDecisions, type ListedFile, type ManifestEntry } from '../manifest/file-decisions';
import type { LocalDatabase } from './database';
import { toCsvField, type StagingColumn } from './staging-columns';

/** A source file found under the data folder. */
export interface SourceFile extends ListedFile {
  /** Its absolute or working-directory-relative path. */
  readonly path: string;
}

/** Describes files found under the data folder. */
export function describeFiles(dataDir: string, paths: readonly string[]): SourceFile[] {
  return paths.map((file) => {
    const stat = statSync(file);
    return {
      key: path.relative(dataDir, file).split(path.sep).join('/'),
      path: file,
      sizeBytes: stat.size,
      modifiedAt: new Date(Math.floor(stat.mtimeMs)),
    };
  });
}

/** Files up to this size are hashed in one read; larger ones as a stream. */
const READ_WHOLE_BYTES = 1 << 20;

/** The SHA-256 of a file's content. */
export async function hashFile(file: string, sizeBytes: number): Promise<string> {
  const hash = createHash('sha256');
  if (sizeBytes <= READ_WHOLE_BYTES) return hash.update(readFileSync(file)).digest('hex');
  for await (const chunk of createReadStream(file, { highWaterMark: READ_WHOLE_BYTES })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Decides which files under the data folder a local run loads (see {@link decideFiles});
 * a changed file is named by its path.
 */
export function decideLocalFiles(
  files: readonly SourceFile[],
  manifest: readonly ManifestEntry[],
  reloadChanged: boolean,
): Promise<FileDecisions<SourceFile>> {
  return decideFiles(files, manifest, {
    hashOf: (file) => hashFile(file.path, file.sizeBytes),
    reloadChanged,
    nameOf: (file) => file.path,
    howToReload: 'run with --reload-changed to load them again (new rows are added, rows already loaded stay)',
  });
}

/** The manifest's rows, or none when the warehouse has no manifest yet. */
export async function readManifest(db: LocalDatabase): Promise<ManifestEntry[]> {
  const [{ present }] = await db.query<{ present: boolean }>(
    // In the warehouse's own schema (the first on the search path), never one further along it.
    "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'load_manifest') AS present",
  );
  if (!present) return [];
  // Epoch milliseconds: a TIMESTAMP read back as a Date would depend on the session's time zone.
  const rows = await db.query<{ file_key: string; size_bytes: number; modified_ms: number; content_hash: string }>(
    `SELECT file_key, size_bytes, CAST(EXTRACT(EPOCH FROM modified_at) * 1000 AS BIGINT) AS modified_ms, content_hash
     FROM load_manifest`,
  );
  return rows.map((row) => ({
    key: row.file_key,
    sizeBytes: Number(row.size_bytes),
    modifiedAt: new Date(Number(row.modified_ms)),
    contentHash: row.content_hash,
  }));
}

const MANIFEST_COLUMNS: readonly StagingColumn[] = [
  { name: 'file_key', type: 'text', nullable: false },
  { name: 'size_bytes', type: 'bigint', nullable: false },
  { name: 'modified_at', type: 'text', nullable: false },
  { name: 'content_hash', type: 'text', nullable: false },
  { name: 'rows_loaded', type: 'bigint', nullable: false },
];

/** Records loaded files in the manifest, replacing the rows of keys loaded again. */
export async function recordFiles(
  db: LocalDatabase,
  entries: readonly (SourceFile & { readonly contentHash: string; readonly rowsLoaded: number })[],
): Promise<void> {
  if (entries.length === 0) return;
  const csv = entries.map((entry) =>
    // ISO time without the Z: the column is a TIMESTAMP in UTC.
    [entry.key, entry.sizeBytes, entry.modifiedAt.toISOString().slice(0, -1), entry.contentHash, entry.rowsLoaded]
      .map((value, index) => {
        const field = toCsvField(value, MANIFEST_COLUMNS[index]);
        if ('error' in field) throw new Error(`Cannot record ${entry.key} in the manifest: ${field.error}`);
        return field.field;
      })
      .join(','),
  );
  await db.query('CREATE TEMPORARY TABLE manifest_batch (LIKE load_manifest INCLUDING DEFAULTS)');
  await db.copyCsv('manifest_batch', MANIFEST_COLUMNS.map((column) => column.name), `${csv.join('\n')}\n`);
  await db.query('DELETE FROM load_manifest USING manifest_batch WHERE load_manifest.file_key = manifest_batch.file_key');
  await db.query(
    `INSERT INTO load_manifest (file_key, size_bytes, modified_at, content_hash, rows_loaded)
     SELECT file_key, size_bytes, modified_at, content_hash, rows_loaded FROM manifest_batch`,
  );
  await db.query('DROP TABLE manifest_batch');
}
