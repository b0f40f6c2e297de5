import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE_DIR, ensureDefaultSample } from '../generate/sample';
import { openPglite } from '../local/database';
import { TooManyRejectsError } from '../local/local-copy';
import { lockDatabaseDir } from '../local/lock';
import { reportJson, reportTable } from '../local/report-format';
import { ChecksFailedError, runLocalEtl, type LocalRunReport } from '../local/runner';
import { progressLine } from './progress';
import { UsageError, runCli, wholeNumber } from './run-cli';

const DEFAULT_DB_DIR = '.sparkify/db';

const HELP = `Usage: npm run local -- [options]   (or: npx sparkify-local [options])

Builds the Sparkify star schema on an embedded Postgres (PGlite) from JSON files, with
the same SQL (sql/) the Redshift deploy runs, and prints row counts and data-quality
checks. Every run rebuilds the warehouse in one transaction; a failed run leaves it as
it was.

Options:
  --data DIR        folder with song_data/ and log_data/ (read recursively, *.json) and
                    optionally log_json_path.json (else sql/log_json_path.json is used)
                    (default: a generated sample, written to ${DEFAULT_SAMPLE_DIR}/)
  --db DIR          where PGlite keeps its files (default: ${DEFAULT_DB_DIR})
  --reset           delete the database folder first and build from nothing
  --max-errors N    records each COPY may reject and still load, like Redshift's
                    MAXERROR (default: 0)
  --json            print only one JSON object on stdout
  -h, --help        show this help

Exit codes: 0 loaded and all checks passed; 1 too many rejected records, a failed
check or another error (the warehouse is left as it was); 2 bad options.`;

interface LocalOptions {
  readonly data?: string;
  readonly db: string;
  readonly reset: boolean;
  readonly maxErrors: number;
  readonly json: boolean;
}

function parseOptions(args: string[]): LocalOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      db: { type: 'string' },
      reset: { type: 'boolean', default: false },
      'max-errors': { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.data === '' || values.db === '') throw new UsageError('--data and --db need a folder');
  return {
    data: values.data,
    db: values.db ?? DEFAULT_DB_DIR,
    reset: values.reset,
    maxErrors: wholeNumber('--max-errors', values['max-errors']),
    json: values.json,
  };
}

async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const dataDir = options.data ?? (await ensureDefaultSample());
  const release = lockDatabaseDir(options.db);
  const releaseOnSignal = () => {
    release();
    process.exit(130);
  };
  process.once('SIGINT', releaseOnSignal).once('SIGTERM', releaseOnSignal);
  try {
    if (options.reset) rmSync(options.db, { recursive: true, force: true });
    const engine = await openPglite(options.db);
    const progress = progressLine();
    try {
      const report = await runLocalEtl(engine, { dataDir, maxErrors: options.maxErrors, onProgress: progress.update });
      progress.done();
      print(report, options.json);
      return 0;
    } catch (error) {
      progress.done();
      if (error instanceof ChecksFailedError) {
        print(error.report, options.json);
        console.error(`${error.message}\nThe load was rolled back: the warehouse is as it was before this run.`);
        return 1;
      }
      if (error instanceof TooManyRejectsError) {
        console.error(`${error.message}\nThe warehouse is as it was before this run. Fix the records or raise --max-errors.`);
        return 1;
      }
      throw error;
    } finally {
      await engine.close();
    }
  } finally {
    process.off('SIGINT', releaseOnSignal).off('SIGTERM', releaseOnSignal);
    release();
  }
}

function print(report: LocalRunReport, json: boolean): void {
  console.log(json ? reportJson(report) : reportTable(report));
}

runCli(main, HELP);
