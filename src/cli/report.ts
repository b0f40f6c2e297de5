import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../analytics/report';
import { withWarehouse } from '../local/warehouse';
import { UsageError, runCli } from './run-cli';

const HELP = `Usage: npm run report -- [--db DIR | --database-url URL] [--out DIR]

Runs the analytics queries of sql/analytics/ on the local warehouse and writes a
self-contained report.html (charts as inline SVG; no network needed to open it).

Options:
  --db DIR              the PGlite warehouse (default: .sparkify/db, as npm run local)
  --database-url URL    a Postgres server warehouse instead
  --out DIR             where to write report.html (default: .sparkify/report)
  -h, --help            show this help`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      'database-url': { type: 'string' },
      out: { type: 'string', default: path.join('.sparkify', 'report') },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.db && values['database-url']) throw new UsageError('--db and --database-url exclude each other');
  const location = values['database-url'] ? { databaseUrl: values['database-url'] } : { dbDir: values.db ?? path.join('.sparkify', 'db') };
  const html = await withWarehouse(location, false, (engine) => buildReport(engine.db));
  mkdirSync(values.out, { recursive: true });
  const file = path.join(values.out, 'report.html');
  writeFileSync(file, html);
  console.log(`Wrote ${file}`);
  return 0;
}

runCli(main, HELP);
