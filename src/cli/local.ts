import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE_DIR, ensureDefaultSample } from '../generate/sample';
import { TooManyRejectsError } from '../local/local-copy';
import { DatabaseBusyError } from '../local/lock';
import { ChangedFileError } from '../manifest/file-decisions';
import { rejectsMessage, reportJson, reportTable, runSummaryTable } from '../local/report-format';
import { ChecksFailedError, FileChangedWhileReadError, InterruptedError, runLocalEtl, TableLockTimeoutError, type LocalRunReport } from '../local/runner';
import { describeLocation, withWarehouse, type WarehouseLocation } from '../local/warehouse';
import { progressDisplay } from './progress';
import { UsageError, runCli, wholeNumber } from './run-cli';

const DEFAULT_DB_DIR = '.sparkify/db';

const HELP = `Usage: npm run local -- [options]   (or: npx sparkify-local [options])

Loads Sparkify JSON files into the star schema on an embedded Postgres (PGlite) or a
Postgres server, with the same SQL (sql/) the Redshift deploy runs, and prints row
counts and data-quality checks. Loads are incremental: a run loads only the files the
warehouse has not loaded yet, in one transaction; a failed or killed run leaves the
warehouse as it was, and running the same command again changes nothing.

Options:
  --data DIR            folder with song_data/ and log_data/ (read recursively: *.json,
                        *.jsonl, *.json.gz; other files are named on stderr, not read)
                        and optionally log_json_path.json (else sql/log_json_path.json)
                        (default: a generated sample, written to ${DEFAULT_SAMPLE_DIR}/)
  --db DIR              where PGlite keeps its files (default: ${DEFAULT_DB_DIR})
  --database-url URL    use this Postgres server instead of PGlite
                        (postgres://user:password@host:port/database)
  --reset               drop everything and load all files again, from nothing
  --reload-changed      load again files whose content changed since they were loaded
                        (default: such a file is an error that names it)
  --verify              hash every file, also those whose size and modification time
                        match the manifest (default: those are trusted unchanged)
  --lock-timeout S      seconds a statement waits for a table lock another session holds
                        before the run fails, naming the holder (default: 30; 0 waits
                        forever)
  --max-errors N        records each COPY may reject and still load, like Redshift's
                        MAXERROR (default: 0); each is named on stderr as file:line:
                        reason (the first 20, then a count) and in --json's "rejects"
  --json                print only one JSON object on stdout (default: tables ending
                        with where the warehouse is, its source and the run's time);
                        either way, progress goes to stderr: bars on a terminal, plain
                        lines elsewhere
  -h, --help            show this help

Exit codes: 0 loaded and all checks passed (also when the source holds no records:
nothing is loaded and stderr says so); 1 too many rejected records, a changed file, a
failed check, another run holding the warehouse, or another error (the warehouse is
left as it was); 2 bad options; 130 (SIGINT, Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP, or
the parent process gone) stopped before the load committed, nothing changed. A signal
after the commit lets the run finish, exit 0.`;

interface LocalOptions {
  readonly data?: string;
  readonly location: WarehouseLocation;
  readonly reset: boolean;
  readonly reloadChanged: boolean;
  readonly verify: boolean;
  readonly maxErrors: number;
  readonly lockTimeoutSeconds: number;
  readonly json: boolean;
}

function parseOptions(args: string[]): LocalOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      db: { type: 'string' },
      'database-url': { type: 'string' },
      reset: { type: 'boolean', default: false },
      'reload-changed': { type: 'boolean', default: false },
      verify: { type: 'boolean', default: false },
      'max-errors': { type: 'string', default: '0' },
      'lock-timeout': { type: 'string', default: '30' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.data === '' || values.db === '') throw new UsageError('--data and --db need a folder');
  if (values.db !== undefined && values['database-url'] !== undefined) {
    throw new UsageError('--db (PGlite) and --database-url (a Postgres server) exclude each other');
  }
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError('--database-url needs a postgres://… URL');
  }
  return {
    data: values.data,
    location: databaseUrl ? { databaseUrl } : { dbDir: values.db ?? DEFAULT_DB_DIR },
    reset: values.reset,
    reloadChanged: values['reload-changed'],
    verify: values.verify,
    maxErrors: wholeNumber('--max-errors', values['max-errors']),
    lockTimeoutSeconds: wholeNumber('--lock-timeout', values['lock-timeout']),
    json: values.json,
  };
}

/** Errors that end a run with exit code 1 and a message, the warehouse untouched. */
const EXPECTED_FAILURES = [TooManyRejectsError, ChangedFileError, DatabaseBusyError, FileChangedWhileReadError, TableLockTimeoutError] as const;

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const started = performance.now();
  const dataDir = options.data ?? (await ensureDefaultSample());
  const progress = progressDisplay(process.stderr);
  const interruption = stopOnSignalOrOrphaning();
  const swapsFolder = 'dbDir' in options.location;
  try {
    const report = await withWarehouse(options.location, options.reset, async (engine) => {
      const loaded = await runLocalEtl(engine, {
        dataDir,
        maxErrors: options.maxErrors,
        lockTimeoutMs: options.lockTimeoutSeconds * 1000,
        reloadChanged: options.reloadChanged,
        verify: options.verify,
        rebuild: options.reset,
        onProgress: (step) => progress.update(step),
        signal: interruption.signal,
      });
      // withWarehouse closes the PGlite copy and renames it into place once this returns.
      if (swapsFolder) progress.update({ phase: 'swap', finished: false });
      return loaded;
    });
    if (swapsFolder) progress.update({ phase: 'swap', finished: true });
    progress.done();
    for (const unread of report.unreadFiles) console.error(`not read: ${unread.file}: ${unread.reason}`);
    if (report.emptySource) console.error(`nothing to load: ${dataDir} holds no records (no files, or only empty ones) under song_data/ and log_data/`);
    print(report, options.json);
    if (!options.json) {
      const warehouse = 'dbDir' in options.location ? `PGlite folder ${path.resolve(options.location.dbDir)}` : `Postgres ${describeLocation(options.location)}`;
      const source = options.data === undefined ? `${path.resolve(dataDir)} (the generated sample)` : path.resolve(dataDir);
      console.log(`\n${runSummaryTable({ warehouse, schema: report.schema, source, seconds: (performance.now() - started) / 1000 })}`);
    }
    return 0;
  } catch (error) {
    progress.done();
    if (error instanceof InterruptedError) {
      console.error(error.message);
      return error.exitCode;
    }
    const untouched = `The warehouse (${describeLocation(options.location)}) is as it was before this run.`;
    if (error instanceof ChecksFailedError) {
      print(error.report, options.json);
      console.error(`${error.message}\nThe load was rolled back. ${untouched}`);
      return 1;
    }
    if (EXPECTED_FAILURES.some((kind) => error instanceof kind)) {
      console.error(`${(error as Error).message}\n${untouched}`);
      return 1;
    }
    throw error;
  } finally {
    interruption.stopWatching();
  }
}

/** How often the loader checks that the process that started it is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Turns SIGINT, SIGTERM and SIGHUP, and the end of the parent process (`npm run`
 * killed with SIGKILL leaves its child behind; the child is then re-parented), into
 * an abort of the run with an {@link InterruptedError} — the parent's end as SIGHUP,
 * as a closed terminal would send.
 */
function stopOnSignalOrOrphaning(): { signal: AbortSignal; stopWatching: () => void } {
  const controller = new AbortController();
  const stop = (signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') => {
    if (!controller.signal.aborted) controller.abort(new InterruptedError(signal));
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((name) => {
    const handler = () => stop(name);
    process.on(name, handler);
    return [name, handler] as const;
  });
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop('SIGHUP');
  }, PARENT_CHECK_MS).unref();
  return {
    signal: controller.signal,
    stopWatching() {
      clearInterval(watch);
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

function print(report: LocalRunReport, json: boolean): void {
  console.log(json ? reportJson(report) : reportTable(report));
  const rejects = rejectsMessage(report);
  if (rejects) console.error(rejects);
}

runCli(main, HELP);
