import { compactJsonFiles } from '../compaction/compact-json';
import { decideFiles, type HashedFile, type ListedFile, type ManifestEntry } from '../manifest/file-decisions';
import { DATA_API_BATCH_LIMITS, splitIntoBatches } from '../sql/batches';
import { s3Uri, toRedshiftSql, type PlannedStatement } from '../sql/plan';
import { buildScheduledPlan, type ScheduledRun, type ScheduledSql } from '../sql/scheduled-plan';
import { RUNNING_STATES, type DataApi, type StatementDescription } from './client';
import { failureMessage, type Logger } from './deploy-load';
import { statementInfoOf } from './load-properties';
import type { ClusterStatusReader } from './cluster-status';
import type { S3Files } from './s3-files';
import type { ScheduledLoadConfig } from './scheduled-config';

/**
 * One scheduled load, free of Lambda: read what `load_manifest` records, list the
 * source prefixes, decide which files are new (the rule the local runner follows), write
 * the run's file list and COPY manifests, then run the incremental load and the
 * recording of its files as one Data API batch, that is one transaction, and wait for it.
 */

/** What a scheduled load works with. */
export interface ScheduledLoadContext {
  /** Runs the statements and reads their results. */
  readonly dataApi: DataApi;
  /** S3 in the source bucket's region, which is the stack's (the stack checks it). */
  readonly s3: S3Files;
  /** The statements' source: sql/ with sql/scheduled/. */
  readonly sql: ScheduledSql;
  /** Where the run's progress goes, one JSON line per event. */
  readonly log: Logger;
  /** Unique per invocation: names the run's statements and objects. */
  readonly runId: string;
  /** Milliseconds the invocation has left. */
  readonly remainingMs: () => number;
  /**
   * Waits; tests pass one that does not.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * For a provisioned cluster: its `ClusterStatus` as DescribeClusters reports it
   * (`available`, `paused`, ...), asked before anything else. Required, so that no caller
   * can forget it; a Serverless target never calls it.
   */
  readonly clusterStatus: ClusterStatusReader;
}

/** How a scheduled load ended, when it did not fail. */
export type ScheduledLoadOutcome =
  | { readonly status: 'cluster-paused'; readonly clusterIdentifier: string }
  | { readonly status: 'previous-load-running'; readonly statementId: string }
  | { readonly status: 'nothing-new'; readonly unchangedFiles: number }
  | {
      readonly status: 'loaded';
      readonly statementId: string;
      readonly loadedFiles: number;
      readonly redeliveredFiles: number;
      readonly unchangedFiles: number;
      readonly counts: Record<string, string | number | boolean | null>;
    };

/** Every statement of a scheduled load has a name starting with this. */
export const SCHEDULED_STATEMENT_PREFIX = 'sparkify-scheduled-';

/** The name of a run's statement: its manifest read or its load. */
function runStatementName(runId: string, step: 'manifest' | 'load'): string {
  return `${SCHEDULED_STATEMENT_PREFIX}${runId}-${step}`;
}

/** A load still running this close to the invocation's end is left to finish on its own. */
const STOP_WAITING_MS = 30_000;

/** A load is not started with less of the invocation left than this (listing and hashing took the rest). */
const TIME_TO_LOAD_MS = 5 * 60_000;

/** What a file whose content changed since it was loaded asks the operator to do. */
const HOW_TO_RELOAD =
  "to load one again, delete its row (DELETE FROM load_manifest WHERE file_key = '<key>';) and the next run loads it as new; rows already loaded stay";

/** Runs one scheduled load. Throws, with what failed and what to do, when it fails. */
export async function runScheduledLoad(context: ScheduledLoadContext, config: ScheduledLoadConfig): Promise<ScheduledLoadOutcome> {
  const { dataApi, log } = context;
  // A paused cluster is skipped, not resumed: its pause schedule (or its operator) chose
  // not to pay for its nodes now, and a statement sent to it would fail.
  const clusterIdentifier = config.target.clusterIdentifier;
  if (clusterIdentifier && (await context.clusterStatus(clusterIdentifier)) === 'paused') {
    log({
      event: 'cluster-paused',
      clusterIdentifier,
      note: 'the cluster is paused: this run loads nothing and leaves it paused; the first run after it resumes loads every file that arrived meanwhile',
    });
    return { status: 'cluster-paused', clusterIdentifier };
  }
  const running = (await dataApi.listByName(SCHEDULED_STATEMENT_PREFIX)).find(
    (statement) => statement.name.endsWith('-load') && RUNNING_STATES.has(statement.state),
  );
  if (running) {
    log({ event: 'previous-load-running', statementId: running.id, note: 'this run loads nothing; the next one looks again' });
    return { status: 'previous-load-running', statementId: running.id };
  }

  const manifest = await readManifest(context, config);
  const { source } = config;
  const digests = new Map<string, number>();
  const decide = async (prefix: string) =>
    decideFiles(await context.s3.listJsonFiles(source.bucket, prefix), manifest, {
      hashOf: async (file: ListedFile) => {
        const digest = await context.s3.digest(source.bucket, file.key);
        digests.set(file.key, digest.records);
        return digest.sha256;
      },
      howToReload: HOW_TO_RELOAD,
      concurrency: 16,
    });
  const logs = await decide(source.logPrefix);
  const songs = await decide(source.songPrefix);
  const newFiles = [...logs.load, ...songs.load];
  const redelivered = [...logs.redelivered, ...songs.redelivered];
  const unchangedFiles = logs.unchanged.length + songs.unchanged.length;
  if (newFiles.length + redelivered.length === 0) {
    log({ event: 'nothing-new', unchangedFiles });
    return { status: 'nothing-new', unchangedFiles };
  }

  if (context.remainingMs() < TIME_TO_LOAD_MS) {
    throw new Error(
      `Scheduled load ${context.runId}: listing and reading ${newFiles.length + redelivered.length} new file(s) left too little of ` +
        'this invocation to run the load; nothing was submitted. Fewer files per run (a more frequent schedule) avoids it.',
    );
  }
  const recorded = [
    ...newFiles.map((file) => ({ file, rowsLoaded: digests.get(file.key) ?? 0 })),
    ...redelivered.map((file) => ({ file, rowsLoaded: 0 })),
  ];
  const run = await writeRunFiles(context, config, recorded, logs.load, songs.load);
  const plan = buildScheduledPlan(context.sql, source, run);
  const counted = { loadedFiles: newFiles.length, redeliveredFiles: redelivered.length, unchangedFiles };
  const finished = await runAsOneTransaction(context, config, plan, (statementId) =>
    log({ event: 'load-started', statementId, ...counted, statements: plan.length }),
  );
  const summary = finished.subStatements.at(-1);
  const [counts] = summary ? await dataApi.resultRows(summary.id) : [];
  const outcome = { status: 'loaded' as const, statementId: finished.id, ...counted, counts: counts ?? {} };
  log({ event: 'load-finished', ...outcome });
  return outcome;
}

/** The rows of `load_manifest`, read through the Data API. */
async function readManifest(context: ScheduledLoadContext, config: ScheduledLoadConfig): Promise<ManifestEntry[]> {
  const id = await context.dataApi.submitBatch(config.target, [context.sql.loadedFilesQuery], runStatementName(context.runId, 'manifest'));
  const description = await waitFor(context, id, 'reading load_manifest');
  const rows = await context.dataApi.resultRows(description.subStatements[0]?.id ?? id);
  return rows.map((row) => ({
    key: String(row.file_key),
    sizeBytes: Number(row.size_bytes),
    modifiedAt: new Date(Number(row.modified_ms)),
    contentHash: String(row.content_hash),
  }));
}

/** A file a run records, with the rows it is counted for. */
interface RecordedFile {
  readonly file: HashedFile<ListedFile>;
  readonly rowsLoaded: number;
}

/**
 * Writes the run's lists to the runs bucket: the JSON lines of every file it records,
 * and per kind of file that has new files, those files compacted into gzip'd JSON lines
 * (a multiple of the warehouse's slices) with the COPY manifest of them. Compacting
 * every new file lets .json and .json.gz sources load alike: COPY's GZIP applies to all
 * the files it reads.
 */
async function writeRunFiles(
  context: ScheduledLoadContext,
  config: ScheduledLoadConfig,
  recorded: readonly RecordedFile[],
  newLogs: readonly ListedFile[],
  newSongs: readonly ListedFile[],
): Promise<ScheduledRun> {
  const folder = `runs/${context.runId}`;
  const put = async (name: string, lines: string) => {
    const key = `${folder}/${name}`;
    await context.s3.put(config.runsBucket, key, lines, 'application/json');
    return s3Uri(config.runsBucket, key);
  };
  const fileList = recorded
    .map(({ file, rowsLoaded }) =>
      JSON.stringify({
        file_key: file.key,
        size_bytes: file.sizeBytes,
        // TIMESTAMP in UTC, 'YYYY-MM-DD HH24:MI:SS' as sql/scheduled/04_copy.sql's TIMEFORMAT reads it.
        modified_at: file.modifiedAt.toISOString().slice(0, 19).replace('T', ' '),
        content_hash: file.contentHash,
        rows_loaded: rowsLoaded,
      }),
    )
    .join('\n');
  const compacted = async (kind: 'log_data' | 'song_data', files: readonly ListedFile[]) => {
    if (files.length === 0) return undefined;
    const result = await compactJsonFiles(context.s3, {
      sourceBucket: config.source.bucket,
      files,
      targetBucket: config.runsBucket,
      targetPrefix: `${folder}/${kind}/`,
      manifestKey: `${folder}/${kind}.manifest`,
      slices: config.slices,
      maxErrors: config.source.maxErrors,
    });
    context.log({ event: 'files-compacted', kind, files: result.parts.map(({ key, sourceFiles, records, gzipBytes }) => ({ key, sourceFiles, records, gzipBytes })), leftOutRecords: result.leftOut });
    return result.manifestUri;
  };
  return {
    fileListUri: await put('files.json', `${fileList}\n`),
    logManifestUri: await compacted('log_data', newLogs),
    songManifestUri: await compacted('song_data', newSongs),
  };
}

/** Submits the plan as one batch (the Data API runs a batch as one transaction) and waits for it. */
async function runAsOneTransaction(
  context: ScheduledLoadContext,
  config: ScheduledLoadConfig,
  plan: readonly PlannedStatement[],
  onSubmitted: (id: string) => void,
): Promise<StatementDescription> {
  const statements = toRedshiftSql(plan);
  if (splitIntoBatches(statements).length > 1) {
    throw new Error(`The scheduled load has ${statements.length} statements; one Data API batch, which is one transaction, takes at most ${DATA_API_BATCH_LIMITS.maxStatements}`);
  }
  const id = await context.dataApi.submitBatch(config.target, statements, runStatementName(context.runId, 'load'));
  onSubmitted(id);
  const loadStatements = { Statements: statements, StatementInfo: statementInfoOf(plan) };
  return waitFor(context, id, 'the load', (description) => failureMessage(description, loadStatements, 0));
}

/**
 * Waits for a statement of the run; gives up (it goes on in Redshift and commits or
 * rolls back on its own) when the invocation nears its end.
 */
function waitFor(
  context: ScheduledLoadContext,
  id: string,
  what: string,
  explain?: (description: StatementDescription) => string,
): Promise<StatementDescription> {
  const run = `Scheduled load ${context.runId}`;
  return context.dataApi.waitFor(id, {
    what: `${run}: ${what}`,
    remainingMs: () => context.remainingMs() - STOP_WAITING_MS,
    whenGivingUp:
      'as this invocation ends. It commits or rolls back on its own, as one transaction; runs load nothing while it runs, ' +
      'and the first run after it loads whatever it did not.',
    ...(explain ? { explainFailure: (description: StatementDescription) => `${run}: ${explain(description)}` } : {}),
    ...(context.sleep ? { sleep: context.sleep } : {}),
  });
}
