import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, emptyReport } from '../analytics/report';
import { withWarehouse } from '../local/warehouse';
import { UsageError, runCli } from './run-cli';

const HELP = `Usage: npm run report -- [--db DIR | --database-url URL] [--out DIR]

Runs the analytics queries of sql/analytics/ on the local warehouse and writes a
self-contained report.html (no network needed to open it): the headline figures
(plays, users, paid share, free-to-paid upgrades, how many plays matched the song
catalogue, busiest hour and day, the period), then a section per question with its
chart and table, and the star schema drawn from sql/03_create_star.sql. A warehouse
with no plays (or no warehouse yet) gets a page saying nothing is loaded yet.

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
  // No warehouse folder yet: say so in the page, without creating an empty warehouse there.
  const dbDir = location.dbDir;
  const missing = dbDir !== undefined && !existsSync(dbDir);
  if (missing) console.error(`No warehouse at ${dbDir} yet: the report says nothing is loaded (npm run local builds it).`);
  const html = missing ? await emptyReport() : await withWarehouse(location, false, (engine) => buildReport(engine.db));
  mkdirSync(values.out, { recursive: true });
  const file = path.join(values.out, 'report.html');
  writeFileSync(file, html);
  console.log(`Wrote ${file}`);
  return 0;
}

runCli(main, HELP);
