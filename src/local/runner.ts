import * as path from 'node:path';
import { adaptForPostgres } from '../sql/postgres';
import { DEFAULT_WAREHOUSE_SCHEMA, buildLoadPlan, type CopySource, type PlannedStatement } from '../sql/plan';
import { readSqlFiles, SQL_DIR } from '../sql/sql-files';
import type { LocalDatabase, LocalEngine } from './database';
import {
  LOCAL_BUCKET,
  keyInLocalBucket,
  listJsonFiles,
  parseCopyStatement,
  runCopyLocally,
  type CopyOutcome,
  type CopyProgress,
  type LocalCopyRunner,
  type RejectedRecord,
} from './local-copy';
import type { FileDecisions } from '../manifest/file-decisions';
import { decideLocalFiles, describeFiles, readManifest, recordFiles, type SourceFile } from './manifest';
import { sourcePathOf } from './folder-ownership';
import { claimSchema } from './schema-claim';

/** The tables of the warehouse, in the order reports list them. */
export const TABLES = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time'] as const;

/** A warehouse table. */
export type TableName = (typeof TABLES)[number];

/** The outcome of one data-quality check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Rows that break the rule (0 when ok). */
  readonly failures: number;
}

/** What a local run loaded and found. */
export interface LocalRunReport {
  readonly tables: Record<TableName, number>;
  /** Songplays joined to a known song (song_id not NULL). */
  readonly matchedSongplays: number;
  /** Records the COPYs rejected (each within its MAXERROR). */
  readonly rejected: number;
  readonly checks: readonly CheckResult[];
  /** Files loaded by this run. */
  readonly loadedFiles: number;
  /** Files found but not loaded: loaded before, or redelivered copies of loaded content. */
  readonly skippedFiles: number;
  /** The first rejected records. */
  readonly rejects: readonly RejectedRecord[];
  /** Where the run's time went, in seconds. */
  readonly phaseSeconds: PhaseSeconds;
}

/**
 * Where a run's time goes: `files` (listing, and hashing new files against the
 * manifest), `parse` (reading, parsing and typing records), `copy` (bulk COPY into
 * staging), `transform` (schema and staging-to-star SQL), `checks` (checks and summary).
 */
export interface PhaseSeconds {
  files: number;
  parse: number;
  copy: number;
  transform: number;
  checks: number;
}

/** Options of a local run. */
export interface LocalRunOptions {
  /** A folder holding `song_data/` and `log_data/` (and optionally `log_json_path.json`). */
  readonly dataDir: string;
  /**
   * How many records each COPY may reject and still load (Redshift's MAXERROR).
   * @default 0
   */
  readonly maxErrors?: number;
  /**
   * Load again files whose content changed since they were loaded, instead of failing.
   * @default false
   */
  readonly reloadChanged?: boolean;
  /**
   * Drop every table first and load all files, in the same transaction as the load.
   * @default false
   */
  readonly rebuild?: boolean;
  /**
   * The schema the warehouse lives in: created when missing; refused when it holds tables
   * this tool did not create (see claimSchema).
   * @default {@link DEFAULT_WAREHOUSE_SCHEMA}
   */
  readonly schema?: string;
  /**
   * Where the warehouse is, as error messages name it (a folder, or a server).
   * @default 'this database'
   */
  readonly warehouseName?: string;
  /** Called after each source file. */
  readonly onProgress?: (progress: CopyProgress) => void;
  /**
   * What runs the COPY statements (the benchmark swaps in a row-by-row INSERT loader).
   * @default runCopyLocally
   */
  readonly copyRunner?: LocalCopyRunner;
}

/** Thrown when data-quality checks fail; the load was rolled back. */
export class ChecksFailedError extends Error {
  constructor(readonly report: LocalRunReport) {
    const failed = report.checks.filter((check) => !check.ok);
    super(`Data-quality check(s) failed: ${failed.map((check) => `${check.name} (${check.failures} rows)`).join(', ')}`);
  }
}

/** The JSONPaths file shipped with the project, used when the data folder has none. */
export const PROJECT_JSONPATHS = path.join(SQL_DIR, 'log_json_path.json');

/** The COPY source the local runner renders: keys under {@link LOCAL_BUCKET} are paths in the data folder. */
export function localCopySource(maxErrors: number, schema: string = DEFAULT_WAREHOUSE_SCHEMA): CopySource {
  return {
    schema,
    bucket: LOCAL_BUCKET,
    region: 'local',
    songPrefix: 'song_data',
    logPrefix: 'log_data',
    jsonPathsKey: 'log_json_path.json',
    copyRoleArn: 'arn:aws:iam::000000000000:role/local-runner-reads-files',
    maxErrors,
  };
}

/**
 * Loads the files of the data folder that the warehouse has not loaded yet, on a local
 * Postgres engine, in one transaction: schema (created where missing), COPY (from the
 * new files only), transform (upserts), manifest, checks and summary. A run that finds
 * nothing new changes nothing. With `rebuild`, every table is dropped and all files
 * load. When a COPY rejects too many records or a check fails, everything rolls back and
 * the warehouse and its manifest are as they were. The warehouse lives in its own schema
 * (`schema`), which must be this tool's and loaded from this `dataDir` (or rebuilt).
 * @throws TooManyRejectsError, ChecksFailedError, ChangedFileError, ForeignSchemaError,
 *   OtherSourceError, or the database's error
 */
export async function runLocalEtl(engine: LocalEngine, options: LocalRunOptions): Promise<LocalRunReport> {
  const mode = options.rebuild ? 'rebuild' : 'incremental';
  const schema = options.schema ?? DEFAULT_WAREHOUSE_SCHEMA;
  const plan = buildLoadPlan(readSqlFiles(), localCopySource(options.maxErrors ?? 0, schema), mode);
  return engine.transaction(async (db) => {
    // First the schema and its search path, then the claim on it: before any table is read or dropped.
    // One transaction is one session, so the statements that open each Data API batch run once.
    const opening = plan.findIndex((statement) => statement.kind !== 'namespace');
    for (const statement of plan.slice(0, opening)) await db.query(adaptForPostgres(statement.sql));
    await claimSchema(db, {
      schema,
      source: sourcePathOf(options.dataDir),
      rebuild: options.rebuild ?? false,
      where: options.warehouseName ?? 'this database',
    });
    const report = await runPlan(db, plan.filter((statement) => statement.kind !== 'namespace'), options);
    if (report.checks.some((check) => !check.ok)) throw new ChecksFailedError(report);
    return report;
  });
}

/** Adds up the seconds each phase of a run takes. */
class PhaseTimer {
  readonly seconds: PhaseSeconds = { files: 0, parse: 0, copy: 0, transform: 0, checks: 0 };

  async time<T>(phase: keyof PhaseSeconds, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.seconds[phase] += (performance.now() - started) / 1000;
    }
  }
}

async function runPlan(db: LocalDatabase, plan: readonly PlannedStatement[], options: LocalRunOptions): Promise<LocalRunReport> {
  const timer = new PhaseTimer();
  const manifest = options.rebuild ? [] : await readManifest(db);
  const decisions = new Map<PlannedStatement, FileDecisions<SourceFile>>();
  for (const statement of plan.filter((s) => s.kind === 'copy')) {
    const prefix = path.join(options.dataDir, keyInLocalBucket(parseCopyStatement(statement.sql).from));
    const files = describeFiles(options.dataDir, listJsonFiles(prefix));
    decisions.set(statement, await timer.time('files', () => decideLocalFiles(files, manifest, options.reloadChanged ?? false)));
  }
  const all = [...decisions.values()];
  const nothingNew = all.every((decision) => decision.load.length === 0 && decision.redelivered.length === 0);
  // With nothing new, only the checks and the summary run: the warehouse stays as it is.
  const loading = !(nothingNew && manifest.length > 0);

  const checks: CheckResult[] = [];
  const rejects: RejectedRecord[] = [];
  let rejected = 0;
  let summary: Record<string, number | string> | undefined;
  for (const statement of plan) {
    // Database roles belong to the deployed warehouse; a local one is the user's own.
    if (statement.kind === 'access') continue;
    if (statement.kind === 'copy') {
      if (!loading) continue;
      const outcome = await copyNewFiles(db, statement, decisions.get(statement) as FileDecisions<SourceFile>, options, timer);
      rejected += outcome.rejected;
      rejects.push(...outcome.rejects);
    } else if (statement.kind === 'check' || statement.kind === 'summary') {
      const [row] = await timer.time('checks', () => db.query<Record<string, number | string>>(adaptForPostgres(statement.sql)));
      if (statement.kind === 'summary') summary = row;
      else checks.push({ name: statement.checkName ?? statement.file, ok: Number(row?.failures) === 0, failures: Number(row?.failures) });
    } else if (loading) {
      await timer.time('transform', () => db.query(adaptForPostgres(statement.sql)));
    }
  }
  if (!summary) throw new Error('sql/ has no summary statement reporting row counts');
  const counts = summary;
  return {
    tables: Object.fromEntries(TABLES.map((table) => [table, Number(counts[table])])) as Record<TableName, number>,
    matchedSongplays: Number(counts.matched_songplays),
    rejected,
    checks,
    loadedFiles: sum(all.map((decision) => decision.load.length)),
    skippedFiles: sum(all.map((decision) => decision.unchanged.length + decision.redelivered.length)),
    rejects,
    phaseSeconds: timer.seconds,
  };
}

/** Runs one COPY statement on the files decided for it, and records them in the manifest. */
async function copyNewFiles(
  db: LocalDatabase,
  statement: PlannedStatement,
  decision: FileDecisions<SourceFile>,
  options: LocalRunOptions,
  timer: PhaseTimer,
): Promise<CopyOutcome> {
  const copyRunner = options.copyRunner ?? runCopyLocally;
  const outcome = await timer.time('parse', () =>
    copyRunner(db, statement.sql, {
      dataDir: options.dataDir,
      files: decision.load.map((file) => file.path),
      fallbackJsonPaths: PROJECT_JSONPATHS,
      onProgress: options.onProgress,
    }),
  );
  // The COPY's own bulk-load time is copy, not parse.
  timer.seconds.parse -= outcome.copySeconds;
  timer.seconds.copy += outcome.copySeconds;
  await timer.time('files', () =>
    recordFiles(db, [
      ...decision.load.map((file, index) => ({ ...file, rowsLoaded: outcome.rowsPerFile[index] })),
      ...decision.redelivered.map((file) => ({ ...file, rowsLoaded: 0 })),
    ]),
  );
  return outcome;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
