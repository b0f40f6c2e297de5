import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { skewReport, skewTargets, SKEW_TARGETS, SLICE_COUNTS } from '../bench/skew';
import { SKEW_LEGEND, skewTable } from '../bench/skew-format';
import { withWarehouse } from '../local/local-warehouse';
import { formatTable } from '../text-table';
import { UsageError, runCli } from './run-cli';

const HELP = `Usage: npm run skew -- [--db DIR | --database-url URL] [--json]

How the loaded local warehouse's tables would spread over the slices of a Redshift
cluster of ${SLICE_COUNTS.join(', ')} slices, under the distribution sql/02_create_staging.sql and
sql/03_create_star.sql declare: KEY by a hash of the key (every NULL key on one slice),
EVEN round-robin, ALL a full copy on each node. For each KEY and EVEN table: the rows on
each slice and the skew (rows on the fullest slice / mean rows per slice), then the
targets (${SKEW_TARGETS.map((t) => `≤ ${t.maxSkew} at ${t.slices} slices`).join(', ')}). Computed in SQL on the warehouse.
Exits 0 when every target is met, 1 when one is not.

Options:
  --db DIR              the PGlite warehouse (default: .sparkify/db, as npm run local)
  --database-url URL    a Postgres server warehouse instead
  --json                print only {"tables":[...],"targets":[...]} (rows of every slice)
  -h, --help            show this help`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      'database-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.db && values['database-url']) throw new UsageError('--db and --database-url exclude each other');
  const dbDir = values.db ?? path.join('.sparkify', 'db');
  if (!values['database-url'] && !existsSync(dbDir)) throw new Error(`No warehouse at ${dbDir} yet: npm run local builds it.`);
  const location = values['database-url'] ? { databaseUrl: values['database-url'] } : { dbDir };
  const tables = await withWarehouse(location, false, (engine) => skewReport(engine.db));
  const targets = skewTargets(tables, 'this warehouse');
  if (values.json) {
    console.log(JSON.stringify({ tables, targets }));
  } else {
    console.log(`${skewTable(tables)}\n${SKEW_LEGEND}`);
    console.log(`\nTargets:\n${formatTable(['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']), 1)}`);
  }
  return targets.every((target) => target.met) ? 0 : 1;
}

runCli(main, HELP);
