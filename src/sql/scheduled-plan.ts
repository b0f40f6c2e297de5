import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_WAREHOUSE_SCHEMA, buildLoadPlan, type CopySource, type PlannedStatement } from './plan';
import { SqlIdentifier, renderTemplate } from './render';
import { SQL_DIR, readSqlFiles, type SqlFile } from './sql-files';

/**
 * The scheduled load's SQL: `sql/` with `sql/scheduled/` laid over it. A file of the
 * sub-folder replaces the file of `sql/` with the same name; the others join in name
 * order. The result is an incremental load that COPYs only the files a run lists in
 * its manifests and records them in `load_manifest`, in the load's one transaction.
 */

/** The sub-folder of `sql/` holding the scheduled load's files. */
export const SCHEDULED_SUBDIR = 'scheduled';

/** The file whose COPY a run leaves out when it found no new file of that kind. */
const COPY_FILE_OF_KIND = { logs: '04_copy_events.sql', songs: '04_copy_songs.sql' } as const;

/** The query a run starts with: what `load_manifest` records. */
const LOADED_FILES_QUERY = 'loaded_files.sql';

/** The SQL a scheduled load runs, read once. */
export interface ScheduledSql {
  /** The numbered files of the load, in run order (the sub-folder's named `scheduled/…`). */
  readonly files: readonly SqlFile[];
  /** The query returning `file_key, size_bytes, modified_ms, content_hash` of every loaded file. */
  readonly loadedFilesQuery: string;
}

/** The per-run inputs of a scheduled load: where the run wrote its lists. */
export interface ScheduledRun {
  /** `s3://` URI of the JSON lines naming every file the run records. */
  readonly fileListUri: string;
  /**
   * `s3://` URI of the COPY manifest of new event files.
   * @default none: the run found no new event file and COPYs none
   */
  readonly logManifestUri?: string;
  /**
   * `s3://` URI of the COPY manifest of new song files.
   * @default none: the run found no new song file and COPYs none
   */
  readonly songManifestUri?: string;
}

/** Reads the scheduled load's SQL from a `sql/` folder (in the Lambda, the copy bundled beside it). */
export function readScheduledSql(sqlDir: string = SQL_DIR): ScheduledSql {
  const overlayDir = path.join(sqlDir, SCHEDULED_SUBDIR);
  return {
    files: overlaySqlFiles(readSqlFiles(sqlDir), readSqlFiles(overlayDir)),
    // A statement of its own (its own session): it names the deployed warehouse's schema.
    loadedFilesQuery: renderTemplate(readFileSync(path.join(overlayDir, LOADED_FILES_QUERY), 'utf8').trim(), {
      schema: new SqlIdentifier(DEFAULT_WAREHOUSE_SCHEMA),
    }),
  };
}

/**
 * `base` with `overlay` (the files of sub-folder `subdir`) laid over it: same name
 * replaces, new names join in name order.
 */
export function overlaySqlFiles(base: readonly SqlFile[], overlay: readonly SqlFile[], subdir: string = SCHEDULED_SUBDIR): SqlFile[] {
  const byName = new Map(base.map((file) => [file.name, file]));
  for (const file of overlay) byName.set(file.name, { name: `${subdir}/${file.name}`, text: file.text });
  // Code-unit order, as readSqlFiles sorts: `04_copy.sql` before `04_copy_events.sql`.
  return [...byName.keys()].sort().map((name) => byName.get(name) as SqlFile);
}

/** The statements of one scheduled run: incremental, COPYing only the kinds of file it found new. */
export function buildScheduledPlan(sql: ScheduledSql, source: CopySource, run: ScheduledRun): PlannedStatement[] {
  const leftOut = new Set<string>();
  if (!run.logManifestUri) leftOut.add(`${SCHEDULED_SUBDIR}/${COPY_FILE_OF_KIND.logs}`);
  if (!run.songManifestUri) leftOut.add(`${SCHEDULED_SUBDIR}/${COPY_FILE_OF_KIND.songs}`);
  const files = sql.files.filter((file) => !leftOut.has(file.name));
  return buildLoadPlan(files, source, 'incremental', {
    file_list_uri: run.fileListUri,
    ...(run.logManifestUri ? { log_manifest_uri: run.logManifestUri } : {}),
    ...(run.songManifestUri ? { song_manifest_uri: run.songManifestUri } : {}),
  });
}
