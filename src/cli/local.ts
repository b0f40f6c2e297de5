import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE_DIR, ensureDefaultSample } from '../generate/sample';
import { TooManyRejectsError } from '../local/local-copy';
import { DatabaseBusyError } from '../local/lock';
import { ChangedFileError } from '../manifest/file-decisions';
import { reportJson, reportTable } from '../local/report-format';
import { ChecksFailedError, runLocalEtl, type LocalRunReport } from '../local/runner';
import { describeLocation, withWarehouse, type WarehouseLocation } from '../local/warehouse';
import { progressLine } from './progress';
import { UsageError, runCli, wholeNumber } from './run-cli';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { SqlIdentifier } from '../sql/render';
import { ForeignFolderError, overlapProblem } from '../local/folder-ownership';
import { ForeignSchemaError, OtherSourceError } from '../local/schema-claim';

const DEFAULT_DB_DIR = '.sparkify/db';

const HELP = `Usage: npm run local -- [options]   (or: npx sparkify-local [options])

Loads Sparkify JSON files into the star schema on an embedded Postgres (PGlite) or a
Postgres server, with the same SQL (sql/) the Redshift deploy runs, and prints row
counts and data-quality checks. Loads are incremental: a run loads only the files the
warehouse has not loaded yet, in one transaction; a failed or killed run leaves the
warehouse as it was, and running the same command again changes nothing.

Options:
  --data DIR            folder with song_data/ and log_data/ (read recursively, *.json)
                        and optionally log_json_path.json (else sql/log_json_path.json)
                        (default: a generated sample, written to ${DEFAULT_SAMPLE_DIR}/)
  --db DIR              where PGlite keeps its files (default: ${DEFAULT_DB_DIR})
  --database-url URL    use this Postgres server instead of PGlite
                        (postgres://user:password@host:port/database)
  --schema NAME         the schema the warehouse's tables live in, created when missing;
                        one holding tables this tool did not create is refused
                        (default: ${DEFAULT_WAREHOUSE_SCHEMA})
  --reset               drop the warehouse's own tables and load all files again, from
                        nothing (never a folder, schema or table this tool did not create)
  --reload-changed      load again files whose content changed since they were loaded
                        (default: such a file is an error that names it)
  --max-errors N        records each COPY may reject and still load, like Redshift's
                        MAXERROR (default: 0)
  --json                print only one JSON object on stdout
  -h, --help            show this help

Exit codes: 0 loaded and all checks passed; 1 too many rejected records, a changed
file, a failed check, another run holding the warehouse, or another error (the
warehouse is left as it was); 2 bad options.`;

interface LocalOptions {
  readonly data?: string;
  readonly location: WarehouseLocation;
  readonly reset: boolean;
  readonly reloadChanged: boolean;
  readonly maxErrors: number;
  readonly json: boolean;
  readonly schema: string;
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
      'max-errors': { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      schema: { type: 'string', default: DEFAULT_WAREHOUSE_SCHEMA },
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
  try {
    new SqlIdentifier(values.schema);
  } catch (error) {
    throw new UsageError(`--schema: ${(error as Error).message}`);
  }
  const location: WarehouseLocation = databaseUrl ? { databaseUrl } : { dbDir: values.db ?? DEFAULT_DB_DIR };
  if (values.data !== undefined && 'dbDir' in location) {
    const problem = overlapProblem(values.data, location.dbDir);
    if (problem) throw new UsageError(`${problem}; pass --db with a folder outside the data`);
  }
  return {
    schema: values.schema,
    data: values.data,
    location,
    reset: values.reset,
    reloadChanged: values['reload-changed'],
    maxErrors: wholeNumber('--max-errors', values['max-errors']),
    json: values.json,
  };
}

/** Errors that end a run with exit code 1 and a message, the warehouse untouched. */
const EXPECTED_FAILURES = [
  TooManyRejectsError,
  ChangedFileError,
  DatabaseBusyError,
  ForeignFolderError,
  ForeignSchemaError,
  OtherSourceError,
] as const;

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const dataDir = options.data ?? (await ensureDefaultSample());
  const progress = progressLine();
  try {
    const report = await withWarehouse(
      options.location,
      (engine) =>
      runLocalEtl(engine, {
        dataDir,
        schema: options.schema,
        warehouseName: describeLocation(options.location),
        maxErrors: options.maxErrors,
        reloadChanged: options.reloadChanged,
        rebuild: options.reset,
        onProgress: progress.update,
      }),
      options.schema,
    );
    progress.done();
    print(report, options.json);
    return 0;
  } catch (error) {
    progress.done();
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
  }
}

function print(report: LocalRunReport, json: boolean): void {
  console.log(json ? reportJson(report) : reportTable(report));
}

runCli(main, HELP);
