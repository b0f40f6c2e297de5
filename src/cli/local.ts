import * as path from 'node:path';
import { DEFAULT_SAMPLE_DIR, ensureDefaultSample } from '../generate/sample';
import { TooManyRejectsError } from '../local/local-copy';
import { DatabaseBusyError } from '../local/lock';
import { ChangedFileError } from '../manifest/file-decisions';
import { rejectsMessage, reportJson, reportTable, runSummaryTable } from '../local/report-format';
import { LISTED_REJECTS } from '../local/reject-lines';
import { DEFAULT_LOCK_TIMEOUT_MS, ChecksFailedError, FileChangedWhileReadError, InterruptedError, runLocalEtl, TableLockTimeoutError, type LocalRunReport } from '../local/runner';
import { describeLocation, withWarehouse } from '../local/local-warehouse';
import { defineCommand, folder, UsageError, warehouseLocation, warehouseOptions, type OptionValues } from './options';
import { progressDisplay } from './progress';
import { runCli } from './run-cli';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { SqlIdentifier } from '../sql/render';
import { ForeignFolderError, overlapProblem } from '../local/folder-ownership';
import { ForeignSchemaError, OtherSourceError } from '../local/schema-claim';
import { OutdatedWarehouseError } from '../local/outdated-tables';

/** What is wrong with a --schema value, if anything: it must be a plain SQL identifier. */
function schemaProblem(name: string): string | undefined {
  try {
    new SqlIdentifier(name);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const LOCAL = defineCommand({
  usage: 'Usage: npm run local -- [options]   (or: npx sparkify-local [options])',
  about: `Loads Sparkify JSON files into the star schema on an embedded Postgres (PGlite) or a
Postgres server, with the same SQL (sql/) the Redshift deploy runs, and prints row
counts and data-quality checks. Loads are incremental: a run loads only the files the
warehouse has not loaded yet, in one transaction; a failed or killed run leaves the
warehouse as it was, and running the same command again changes nothing.`,
  options: {
    data: {
      type: 'string',
      value: 'DIR',
      help:
        'folder with song_data/ and log_data/ (read recursively: *.json, *.jsonl, *.json.gz; other files are named on stderr, not read) ' +
        'and optionally log_json_path.json (else sql/log_json_path.json)',
      defaultHelp: `a generated sample, written to ${DEFAULT_SAMPLE_DIR}/`,
      check: folder,
    },
    ...warehouseOptions({
      db: 'where PGlite keeps its files',
      databaseUrl: 'use this Postgres server instead of PGlite (postgres://user:password@host:port/database)',
    }),
    schema: {
      type: 'string',
      value: 'NAME',
      help: "the schema the warehouse's tables live in, created when missing; one holding tables this tool did not create is refused",
      default: DEFAULT_WAREHOUSE_SCHEMA,
      check: schemaProblem,
    },
    reset: {
      type: 'boolean',
      help: "drop the warehouse's own tables and load all files again, from nothing (never a folder, schema or table this tool did not create)",
    },
    'reload-changed': {
      type: 'boolean',
      help: 'load again files whose content changed since they were loaded',
      defaultHelp: 'such a file is an error that names it',
    },
    verify: {
      type: 'boolean',
      help: 'hash every file, also those whose size and modification time match the manifest',
      defaultHelp: 'those are trusted unchanged',
    },
    'lock-timeout': {
      type: 'whole',
      value: 'S',
      help: 'seconds a statement waits for a table lock another session holds before the run fails, naming the holder; 0 waits forever',
      default: DEFAULT_LOCK_TIMEOUT_MS / 1000,
    },
    'max-errors': {
      type: 'whole',
      value: 'N',
      help:
        "records each COPY may reject and still load, like Redshift's MAXERROR; each is named on stderr as file:line: reason " +
        `(the first ${LISTED_REJECTS}, then a count) and in --json's "rejects"`,
      default: 0,
    },
    json: {
      type: 'boolean',
      help: 'print only one JSON object on stdout; either way, progress goes to stderr: bars on a terminal, plain lines elsewhere',
      defaultHelp: "tables ending with where the warehouse is, its source and the run's time",
    },
  },
  footer: `Exit codes: 0 loaded and all checks passed (also when the source holds no records:
nothing is loaded and stderr says so); 1 too many rejected records, a changed file, a
failed check, another run holding the warehouse, or another error (the warehouse is
left as it was); 2 bad options; 130 (SIGINT, Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP, or
the parent process gone) stopped before the load committed, nothing changed. A signal
after the commit lets the run finish, exit 0.`,
});

/** Errors that end a run with exit code 1 and a message, the warehouse untouched. */
const EXPECTED_FAILURES = [
  TooManyRejectsError,
  ChangedFileError,
  DatabaseBusyError,
  FileChangedWhileReadError,
  TableLockTimeoutError,
  ForeignFolderError,
  ForeignSchemaError,
  OtherSourceError,
  OutdatedWarehouseError,
] as const;

async function main(values: OptionValues<typeof LOCAL.options>): Promise<number> {
  const options = {
    location: warehouseLocation(values),
    schema: values.schema,
    reset: values.reset,
    reloadChanged: values['reload-changed'],
    verify: values.verify,
    maxErrors: values['max-errors'],
    lockTimeoutSeconds: values['lock-timeout'],
    json: values.json,
  };
  if (values.data !== undefined && 'dbDir' in options.location) {
    const problem = overlapProblem(values.data, options.location.dbDir);
    if (problem) throw new UsageError(`${problem}; pass --db with a folder outside the data`);
  }
  const started = performance.now();
  const dataDir = values.data ?? (await ensureDefaultSample());
  const progress = progressDisplay(process.stderr);
  const interruption = stopOnSignalOrOrphaning();
  const swapsFolder = 'dbDir' in options.location;
  try {
    const report = await withWarehouse(
      options.location,
      async (engine) => {
        const loaded = await runLocalEtl(engine, {
        dataDir,
        schema: options.schema,
        warehouseName: describeLocation(options.location),
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
      },
      options.schema,
    );
    if (swapsFolder) progress.update({ phase: 'swap', finished: true });
    progress.done();
    for (const unread of report.unreadFiles) console.error(`not read: ${unread.file}: ${unread.reason}`);
    if (report.emptySource) console.error(`nothing to load: ${dataDir} holds no records (no files, or only empty ones) under song_data/ and log_data/`);
    print(report, options.json);
    if (!options.json) {
      const warehouse = 'dbDir' in options.location ? `PGlite folder ${path.resolve(options.location.dbDir)}` : `Postgres ${describeLocation(options.location)}`;
      const source = values.data === undefined ? `${path.resolve(dataDir)} (the generated sample)` : path.resolve(dataDir);
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

runCli(LOCAL, main);
