import * as path from 'node:path';
import { overlaySqlFiles } from '../sql/scheduled-plan';
import { SQL_DIR, readSqlFiles, type SqlFile } from '../sql/sql-files';
import { compactJsonFiles, isReadableSourceKey, type CompactionResult, type ObjectStore } from './compact-json';

/**
 * The deploy's compaction: what the construct tells the load's onEvent (as custom
 * resource properties) and what onEvent does with it before it submits the load. Both
 * COPYs then read only the staging bucket (the warehouse's region, so no REGION: a COPY
 * reads all it names in one region), with MANIFEST GZIP.
 */

/** The sub-folder of `sql/` whose files replace those of `sql/` in the deploy's load. */
export const DEPLOY_SUBDIR = 'deploy';

/** Where in the staging bucket each deploy load writes its compacted song files: `songs/<request id>/`. */
export const DEPLOY_SONGS_PREFIX = 'songs/';

/** Where in the staging bucket each deploy load writes its compacted event files: `events/<request id>/`. */
export const DEPLOY_EVENTS_PREFIX = 'events/';

/** The staging bucket's prefixes the deploy writes and its COPYs read (their objects expire). */
export const DEPLOY_STAGING_PREFIXES = [DEPLOY_SONGS_PREFIX, DEPLOY_EVENTS_PREFIX] as const;

/**
 * The key of the COPY manifest of the latest song compaction, which sql/deploy/04_copy_songs.sql
 * reads. One key for every load: CloudFormation runs one update of a stack at a time, and
 * each load writes it before its COPY.
 */
export const DEPLOY_SONG_MANIFEST_KEY = `${DEPLOY_SONGS_PREFIX}song_data.manifest`;

/** The key of the COPY manifest of the latest event compaction (sql/deploy/04_copy_events.sql), one key as above. */
export const DEPLOY_EVENT_MANIFEST_KEY = `${DEPLOY_EVENTS_PREFIX}log_data.manifest`;

/** The key of the copy of the source's JSONPaths file the deploy's event COPY reads, one key as above. */
export const DEPLOY_JSONPATHS_KEY = `${DEPLOY_EVENTS_PREFIX}log_json_path.json`;

/** The deploy's SQL: `sql/` with `sql/deploy/` laid over it (its COPYs read the compacted files). */
export function readDeploySql(sqlDir: string = SQL_DIR): SqlFile[] {
  return overlaySqlFiles(readSqlFiles(sqlDir), readSqlFiles(path.join(sqlDir, DEPLOY_SUBDIR)), DEPLOY_SUBDIR);
}

/** The load's `Compaction` property. CloudFormation passes every value as a string. */
export interface DeployCompactionProperties {
  /** The source bucket. */
  readonly SourceBucket: string;
  /** The source bucket's region. */
  readonly SourceRegion: string;
  /** The key prefix of the song files. */
  readonly SongPrefix: string;
  /** The key prefix of the event log files. */
  readonly LogPrefix: string;
  /** The key of the JSONPaths file of the events. */
  readonly JsonPathsKey: string;
  /** The stack's staging bucket (in the stack's region). */
  readonly StagingBucket: string;
  /** The warehouse's slices (a number). */
  readonly Slices: string;
  /** COPY's MAXERROR (a number): records that are not JSON objects it may leave out. */
  readonly MaxErrors: string;
}

/** One prefix's compaction, and the keys under it compaction does not read (not JSON by name). */
export type PrefixCompaction = CompactionResult & { readonly unread: readonly string[] };

/** What the deploy's compaction wrote. */
export interface DeployCompaction {
  readonly songs: PrefixCompaction;
  readonly events: PrefixCompaction;
}

/**
 * Compacts every song file into `songs/<requestId>/` and every event file into
 * `events/<requestId>/` of the staging bucket, writes the manifests the load's COPYs read
 * and copies the JSONPaths file beside the events. `source` reads the source bucket,
 * `staging` writes the staging bucket (they may be in two regions).
 */
export async function compactDeploySources(
  source: Pick<ObjectStore, 'list' | 'read'>,
  staging: Pick<ObjectStore, 'put'>,
  properties: DeployCompactionProperties,
  requestId: string,
): Promise<DeployCompaction> {
  const store: ObjectStore = { list: source.list.bind(source), read: source.read.bind(source), put: staging.put.bind(staging) };
  const compactPrefix = async (sourcePrefix: string, targetPrefix: string, manifestKey: string): Promise<PrefixCompaction> => {
    const listed = await source.list(properties.SourceBucket, sourcePrefix);
    const result = await compactJsonFiles(store, {
      sourceBucket: properties.SourceBucket,
      files: listed.filter((object) => isReadableSourceKey(object.key)),
      targetBucket: properties.StagingBucket,
      targetPrefix: `${targetPrefix}${requestId}/`,
      manifestKey,
      slices: Number(properties.Slices),
      maxErrors: Number(properties.MaxErrors),
    });
    return { ...result, unread: listed.filter((object) => !isReadableSourceKey(object.key)).map((object) => object.key) };
  };
  const songs = await compactPrefix(properties.SongPrefix, DEPLOY_SONGS_PREFIX, DEPLOY_SONG_MANIFEST_KEY);
  const events = await compactPrefix(properties.LogPrefix, DEPLOY_EVENTS_PREFIX, DEPLOY_EVENT_MANIFEST_KEY);
  const chunks: Buffer[] = [];
  for await (const chunk of await source.read(properties.SourceBucket, properties.JsonPathsKey)) chunks.push(Buffer.from(chunk));
  await staging.put(properties.StagingBucket, DEPLOY_JSONPATHS_KEY, Buffer.concat(chunks), 'application/json');
  return { songs, events };
}
