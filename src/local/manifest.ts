import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { decideFiles, type FileDecisions, type ListedFile, type ManifestEntry } from '../manifest/file-decisions';
import { SQL_DIR } from '../sql/sql-files';
import { splitStatements } from '../sql/split';
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

/** How a local run decides its files. */
export interface LocalFileRules {
  /** Load again files whose content changed, instead of failing. */
  readonly reloadChanged: boolean;
  /** Hash known files whose size and modification time match too. */
  readonly verify: boolean;
}

/**
 * Decides which files under the data folder a local run loads (see {@link decideFiles});
 * a changed file is named by its path.
 */
export function decideLocalFiles(
  files: readonly SourceFile[],
  manifest: readonly ManifestEntry[],
  rules: LocalFileRules,
): Promise<FileDecisions<SourceFile>> {
  return decideFiles(files, manifest, {
    hashOf: (file) => hashFile(file.path, file.sizeBytes),
    reloadChanged: rules.reloadChanged,
    verify: rules.verify,
    nameOf: (file) => file.path,
    howToReload: 'run with --reload-changed to load them again (new rows are added, rows already loaded stay)',
  });
}

/** The sub-folder of `sql/` holding the local runner's manifest statements (Postgres; the deploy does not run them). */
const LOCAL_SUBDIR = 'local';

/** The statements of a file of `sql/local/`, in order. */
function localStatements(name: string): string[] {
  return splitStatements(readFileSync(path.join(SQL_DIR, LOCAL_SUBDIR, name), 'utf8')).map((statement) => statement.sql);
}

/** The one statement of a file of `sql/local/`. */
function localStatement(name: string): string {
  const statements = localStatements(name);
  if (statements.length !== 1) throw new Error(`sql/${LOCAL_SUBDIR}/${name} must hold one statement, found ${statements.length}`);
  return statements[0];
}

/** The manifest's statements, read once. */
const MANIFEST_SQL = {
  exists: localStatement('manifest_exists.sql'),
  loadedFiles: localStatement('loaded_files.sql'),
  batch: localStatement('manifest_batch.sql'),
  record: localStatements('record_files.sql'),
};

/** The manifest's rows, or none when the warehouse has no manifest yet. */
export async function readManifest(db: LocalDatabase): Promise<ManifestEntry[]> {
  const [{ present }] = await db.query<{ present: boolean }>(MANIFEST_SQL.exists);
  if (!present) return [];
  const rows = await db.query<{ file_key: string; size_bytes: number; modified_ms: number; content_hash: string }>(MANIFEST_SQL.loadedFiles);
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
  await db.query(MANIFEST_SQL.batch);
  await db.copyCsv('manifest_batch', MANIFEST_COLUMNS.map((column) => column.name), `${csv.join('\n')}\n`);
  for (const statement of MANIFEST_SQL.record) await db.query(statement);
}
