import * as path from 'node:path';
import { constants } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { adaptForPostgres } from '../sql/postgres';
import { DEFAULT_WAREHOUSE_SCHEMA, buildLoadPlan, type CopySource, type PlannedStatement } from '../sql/plan';
import { readSqlFiles } from '../sql/sql-files';
import { SUMMARY_COLUMNS } from '../sql/summary';
import type { LocalDatabase, LocalEngine } from './database';
import { PROJECT_JSONPATHS } from './jsonpaths';
import {
  LOCAL_BUCKET,
  keyInLocalBucket,
  listSourceFiles,
  parseCopyStatement,
  runCopyLocally,
  TooManyRejectsError,
  type CopyOutcome,
  type LocalCopyRunner,
  type RejectedRecord,
  type UnreadFile,
} from './local-copy';
import type { FileDecisions, HashedFile } from '../manifest/file-decisions';
import { refuseOutdatedTables } from './outdated-tables';
import { decideLocalFiles, describeFiles, hashFile, readManifest, recordFiles, type SourceFile } from './manifest';
import { sourcePathOf } from './folder-ownership';
import { claimSchema } from './schema-claim';
import { LoadProgressReporter, type LoadProgress } from './load-progress';
import { LOAD_PLANNER_SETTINGS } from './load-planner';

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
  /** The keys of the first offending rows, as the check names them (none when ok). */
  readonly offenders: readonly string[];
}

/** What a local run loaded and found. */
export interface LocalRunReport {
  readonly tables: Record<TableName, number>;
  /** Songplays joined to a known song (song_id not NULL). */
  readonly matchedSongplays: number;
  /** Every count of sql/'s summary by its column ({@link SUMMARY_COLUMNS}): the tables' rows, then matched_songplays. */
  readonly counts: Readonly<Record<string, number>>;
  /** Records the COPYs rejected (each within its MAXERROR). */
  readonly rejected: number;
  readonly checks: readonly CheckResult[];
  /** Files loaded by this run. */
  readonly loadedFiles: number;
  /** Files found but not loaded: loaded before, or redelivered copies of loaded content. */
  readonly skippedFiles: number;
  /** Files under the prefixes that the load does not read, each with why. */
  readonly unreadFiles: readonly UnreadFile[];
  /** The source holds no records: no file to read, or only empty ones. Nothing was loaded. */
  readonly emptySource: boolean;
  /** Every rejected record (at most MAXERROR per COPY), in the order they were read. */
  readonly rejects: readonly RejectedRecord[];
  /** Where the run's time went, in seconds. */
  readonly phaseSeconds: PhaseSeconds;
  /** The schema the warehouse's tables are in (the session's current schema). */
  readonly schema: string;
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
   * Hash every file, also those whose size and modification time match the manifest,
   * so that a changed file with both restored is found (as a changed file).
   * @default false: a known file with the same size and modification time is trusted unchanged
   */
  readonly verify?: boolean;
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
  /**
   * Told how the run is getting on: bytes read and copied as the new files are read, and
   * each transform and check statement as it starts (see {@link LoadProgress}).
   * @default nothing is told
   */
  readonly onProgress?: (progress: LoadProgress) => void;
  /**
   * Stops the run, rolled back, at the next statement or chunk of rows once aborted; its
   * reason (an {@link InterruptedError}) is what the run throws. Once the load has
   * committed, the run finishes.
   * @default never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * How long a statement waits for a table lock another session holds (a reader's open
   * transaction, say) before the run fails, naming who holds it.
   * @default 30000
   */
  readonly lockTimeoutMs?: number;
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
    super(`Data-quality check(s) failed: ${failed.map(describeFailedCheck).join(', ')}`);
  }
}

/** Thrown when a run was stopped (a signal, or its parent process gone) before it committed; nothing changed. */
export class InterruptedError extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') {
    super('interrupted: nothing changed');
  }

  /** The exit code a shell gives a process ended by this signal: 128 + its number. */
  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }
}

/** Thrown when a file's content changed between the decision to load it and its reading. */
export class FileChangedWhileReadError extends Error {
  constructor(readonly file: string) {
    super(
      `${file} changed while this run read it (its bytes no longer match those hashed before the load); nothing was loaded. ` +
        'Run again once the file stays as it is.',
    );
  }
}

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
 *   OtherSourceError, OutdatedWarehouseError (tables an earlier `sql/`
 *   made), or the database's error
 */
export async function runLocalEtl(engine: LocalEngine, options: LocalRunOptions): Promise<LocalRunReport> {
  const mode = options.rebuild ? 'rebuild' : 'incremental';
  const schema = options.schema ?? DEFAULT_WAREHOUSE_SCHEMA;
  const plan = buildLoadPlan(readSqlFiles(), localCopySource(options.maxErrors ?? 0, schema), mode);
  try {
    return await engine.transaction(async (db) => {
      await db.query(`SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)}`);
      for (const setting of LOAD_PLANNER_SETTINGS) await db.query(setting);
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
      if (mode === 'incremental') await refuseOutdatedTables(db, plan);
      const report = await runPlan(db, plan.filter((statement) => statement.kind !== 'namespace'), options);
      await stopIfInterrupted(options.signal);
      if (report.checks.some((check) => !check.ok)) throw new ChecksFailedError(report);
      return report;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw error;
    throw new TableLockTimeoutError(await tableLockHolders(engine.db));
  }
}

/** How long a statement waits for a table lock by default (LocalRunOptions.lockTimeoutMs). */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** Postgres's SQLSTATE for a lock not obtained within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/** A session holding a lock on a warehouse table. */
export interface LockHolder {
  readonly pid: number;
  readonly applicationName: string;
  /** When its current (or last) statement started, ISO 8601. */
  readonly queryStart: string;
  readonly table: string;
  readonly mode: string;
}

/** Thrown when a statement waited longer than the lock timeout for a table lock; nothing changed. */
export class TableLockTimeoutError extends Error {
  constructor(readonly holders: readonly LockHolder[]) {
    const who = holders.map(
      (holder) => `pid ${holder.pid} (application "${holder.applicationName}", statement started ${holder.queryStart}) holds ${holder.mode} on ${holder.table}`,
    );
    super(
      `The load waited too long for a table lock held by another session${who.length ? `:\n  ${who.join('\n  ')}` : ' (it has let go since)'}\n` +
        'End that session or its open transaction (SELECT pg_terminate_backend(pid)), then run again.',
    );
  }
}

/** The other sessions of this database holding locks on the warehouse's tables. */
async function tableLockHolders(db: LocalDatabase): Promise<LockHolder[]> {
  const rows = await db.query<{ pid: number; application_name: string; query_start: Date | null; relname: string; mode: string }>(
    `SELECT activity.pid, activity.application_name, activity.query_start, class.relname, locks.mode
     FROM pg_locks AS locks
     JOIN pg_stat_activity AS activity ON activity.pid = locks.pid
     JOIN pg_class AS class ON class.oid = locks.relation
     WHERE locks.granted AND locks.locktype = 'relation' AND locks.pid <> pg_backend_pid()
       AND locks.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND class.relname = ANY($1)
     ORDER BY activity.pid, class.relname`,
    [[...TABLES, 'load_manifest']],
  );
  return rows.map((row) => ({
    pid: row.pid,
    applicationName: row.application_name,
    queryStart: row.query_start ? new Date(row.query_start).toISOString() : 'unknown',
    table: row.relname,
    mode: row.mode,
  }));
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
  const unreadFiles: UnreadFile[] = [];
  let sourceBytes = 0;
  for (const statement of plan.filter((s) => s.kind === 'copy')) {
    const prefix = path.join(options.dataDir, keyInLocalBucket(parseCopyStatement(statement.sql).from));
    const listing = listSourceFiles(prefix, options.dataDir);
    unreadFiles.push(...listing.unread);
    const files = describeFiles(options.dataDir, listing.files);
    sourceBytes += sum(files.map((file) => file.sizeBytes));
    decisions.set(
      statement,
      await timer.time('files', () => decideLocalFiles(files, manifest, { reloadChanged: options.reloadChanged ?? false, verify: options.verify ?? false })),
    );
  }
  const all = [...decisions.values()];
  const nothingNew = all.every((decision) => decision.load.length === 0 && decision.redelivered.length === 0);
  // With nothing new, only the checks and the summary run: the warehouse stays as it is.
  const loading = !(nothingNew && manifest.length > 0);

  const checks: CheckResult[] = [];
  const rejects: RejectedRecord[] = [];
  let rejected = 0;
  let summary: Record<string, number | string> | undefined;
  const bytesToLoad = loading ? sum(all.flatMap((decision) => decision.load.map((file) => file.sizeBytes))) : 0;
  // With nothing to load, the transform does not run.
  const progress = new LoadProgressReporter(bytesToLoad, loading ? plan : plan.filter((s) => s.kind !== 'transform'), options.onProgress);
  for (const statement of plan) {
    await stopIfInterrupted(options.signal);
    // Database roles belong to the deployed warehouse; a local one is the user's own.
    if (statement.kind === 'access') continue;
    if (statement.kind === 'copy') {
      if (!loading) continue;
      const outcome = await copyNewFiles(db, statement, decisions.get(statement) as FileDecisions<SourceFile>, options, timer, progress);
      rejected += outcome.rejected;
      rejects.push(...outcome.rejects);
    } else if (statement.kind === 'check' || statement.kind === 'summary') {
      const rows = await progress.running(statement, () =>
        timer.time('checks', () => db.query<Record<string, number | string | null>>(adaptForPostgres(statement.sql))),
      );
      if (statement.kind === 'summary') summary = rows[0] as Record<string, number | string>;
      else checks.push(checkResult(statement.checkName ?? statement.file, rows));
    } else if (loading) {
      await progress.running(statement, () => timer.time('transform', () => db.query(adaptForPostgres(statement.sql))));
    }
  }
  if (!summary) throw new Error('sql/ has no summary statement reporting row counts');
  const counts = summaryCounts(summary);
  const [{ schema }] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  return {
    tables: Object.fromEntries(TABLES.map((table) => [table, counts[table]])) as Record<TableName, number>,
    matchedSongplays: counts.matched_songplays,
    counts,
    rejected,
    checks,
    loadedFiles: sum(all.map((decision) => decision.load.length)),
    skippedFiles: sum(all.map((decision) => decision.unchanged.length + decision.redelivered.length)),
    unreadFiles,
    emptySource: sourceBytes === 0,
    rejects,
    phaseSeconds: timer.seconds,
    schema,
  };
}

/**
 * The summary row's counts, by the columns sql/'s summary names.
 * @throws when the row lacks one of them
 */
function summaryCounts(row: Record<string, number | string>): Record<string, number> {
  return Object.fromEntries(
    SUMMARY_COLUMNS.map((column) => {
      if (row[column] === undefined) throw new Error(`The summary statement returned no ${column} column`);
      return [column, Number(row[column])];
    }),
  );
}

/**
 * Lets the event loop take a turn, so that a signal's handler runs (PGlite statements
 * run synchronously, and promises alone never give it one), then throws the signal's
 * reason if it was aborted.
 */
async function stopIfInterrupted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await nextTurn();
  signal.throwIfAborted();
}

/** Runs one COPY statement on the files decided for it, and records them in the manifest. */
async function copyNewFiles(
  db: LocalDatabase,
  statement: PlannedStatement,
  decision: FileDecisions<SourceFile>,
  options: LocalRunOptions,
  timer: PhaseTimer,
  progress: LoadProgressReporter,
): Promise<CopyOutcome> {
  const copyRunner = options.copyRunner ?? runCopyLocally;
  const table = parseCopyStatement(statement.sql).table;
  const outcome = await timer.time('parse', () =>
    copyRunner(progress.copyingInto(db, table), statement.sql, {
      dataDir: options.dataDir,
      files: decision.load.map((file) => file.path),
      fallbackJsonPaths: PROJECT_JSONPATHS,
      onBytesRead: (bytes, file) => progress.read(table, path.relative(options.dataDir, file), bytes),
      signal: options.signal,
    }).catch(async (error: unknown) => {
      // A file cut short while read ends in a broken record: say what happened, not only the reject.
      if (error instanceof TooManyRejectsError) await failIfChangedSinceHashed(decision.load, error.rejects);
      throw error;
    }),
  );
  // The manifest records what was parsed: a file rewritten since it was hashed (or while
  // it was read) would otherwise be recorded as loaded with rows it never gave.
  decision.load.forEach((file, index) => {
    if (outcome.contentHashes[index] !== file.contentHash) throw new FileChangedWhileReadError(file.path);
  });
  progress.copied(table);
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

/** Throws {@link FileChangedWhileReadError} for the first rejecting file whose content is not what was hashed. */
async function failIfChangedSinceHashed(files: readonly HashedFile<SourceFile>[], rejects: readonly RejectedRecord[]): Promise<void> {
  for (const file of files.filter((candidate) => rejects.some((reject) => reject.file === candidate.path))) {
    const now = await hashFile(file.path, file.sizeBytes).catch(() => undefined);
    if (now !== file.contentHash) throw new FileChangedWhileReadError(file.path);
  }
}

/**
 * What a check's rows say: a check returns one row per offending key (the first few),
 * each with the total `failures` and that key as `offender`; no row, or failures 0, passes.
 */
function checkResult(name: string, rows: readonly Record<string, number | string | null>[]): CheckResult {
  const failures = rows.length === 0 ? 0 : Number(rows[0].failures);
  const offenders = rows.flatMap((row) => (row.offender === undefined || row.offender === null ? [] : [String(row.offender)]));
  return { name, ok: failures === 0, failures, offenders: failures === 0 ? [] : offenders };
}

/** A failed check in one phrase: its name, how many rows and the first keys. */
export function describeFailedCheck(check: CheckResult): string {
  const more = check.failures > check.offenders.length ? ', …' : '';
  const keys = check.offenders.length > 0 ? `: ${check.offenders.join('; ')}${more}` : '';
  return `${check.name} (${check.failures} rows${keys})`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
