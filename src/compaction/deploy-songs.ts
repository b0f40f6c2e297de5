import * as path from 'node:path';
import { overlaySqlFiles } from '../sql/scheduled-plan';
import { SQL_DIR, readSqlFiles, type SqlFile } from '../sql/sql-files';
import { compactJsonFiles, isReadableSourceKey, type CompactionResult, type ObjectStore } from './compact-json';

/**
 * The deploy's song compaction: what the construct tells the load's onEvent (as custom
 * resource properties) and what onEvent does with it before it submits the load.
 */

/** The sub-folder of `sql/` whose files replace those of `sql/` in the deploy's load. */
export const DEPLOY_SUBDIR = 'deploy';

/** Where in the staging bucket each deploy load writes its compacted song files: `songs/<request id>/`. */
export const DEPLOY_SONGS_PREFIX = 'songs/';

/**
 * The key of the COPY manifest of the latest compaction, which sql/deploy/04_copy_songs.sql
 * reads. One key for every load: CloudFormation runs one update of a stack at a time, and
 * each load writes it before its COPY.
 */
export const DEPLOY_SONG_MANIFEST_KEY = `${DEPLOY_SONGS_PREFIX}song_data.manifest`;

/** The deploy's SQL: `sql/` with `sql/deploy/` laid over it (its song COPY reads the compacted files). */
export function readDeploySql(sqlDir: string = SQL_DIR): SqlFile[] {
  return overlaySqlFiles(readSqlFiles(sqlDir), readSqlFiles(path.join(sqlDir, DEPLOY_SUBDIR)), DEPLOY_SUBDIR);
}

/** The load's `SongCompaction` property. CloudFormation passes every value as a string. */
export interface SongCompactionProperties {
  /** The source bucket. */
  readonly SourceBucket: string;
  /** The source bucket's region. */
  readonly SourceRegion: string;
  /** The key prefix of the song files. */
  readonly SongPrefix: string;
  /** The stack's staging bucket (in the stack's region). */
  readonly StagingBucket: string;
  /** The warehouse's slices (a number). */
  readonly Slices: string;
  /** COPY's MAXERROR (a number): records that are not JSON objects it may leave out. */
  readonly MaxErrors: string;
}

/**
 * Compacts every song file under the prefix into `songs/<requestId>/` of the staging
 * bucket and writes the manifest the load's song COPY reads. `source` reads the source
 * bucket, `staging` writes the staging bucket (they may be in two regions).
 */
export async function compactDeploySongs(
  source: Pick<ObjectStore, 'list' | 'read'>,
  staging: Pick<ObjectStore, 'put'>,
  properties: SongCompactionProperties,
  requestId: string,
): Promise<CompactionResult & { readonly unread: readonly string[] }> {
  const listed = await source.list(properties.SourceBucket, properties.SongPrefix);
  const files = listed.filter((object) => isReadableSourceKey(object.key));
  const store: ObjectStore = { list: source.list.bind(source), read: source.read.bind(source), put: staging.put.bind(staging) };
  const result = await compactJsonFiles(store, {
    sourceBucket: properties.SourceBucket,
    files,
    targetBucket: properties.StagingBucket,
    targetPrefix: `${DEPLOY_SONGS_PREFIX}${requestId}/`,
    manifestKey: DEPLOY_SONG_MANIFEST_KEY,
    slices: Number(properties.Slices),
    maxErrors: Number(properties.MaxErrors),
  });
  return { ...result, unread: listed.filter((object) => !isReadableSourceKey(object.key)).map((object) => object.key) };
}
