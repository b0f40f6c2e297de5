import { existsSync } from 'node:fs';
import { skewReport, skewTargets, SKEW_TARGETS, SLICE_COUNTS } from '../bench/skew';
import { SKEW_LEGEND, skewTable } from '../bench/skew-format';
import { withWarehouse } from '../local/local-warehouse';
import { formatTable } from '../text-table';
import { defineCommand, warehouseLocation, warehouseOptions, type OptionValues } from './options';
import { runCli } from './run-cli';

const SKEW = defineCommand({
  usage: 'Usage: npm run skew -- [--db DIR | --database-url URL] [--json]',
  about: `How the loaded local warehouse's tables would spread over the slices of a Redshift
cluster of ${SLICE_COUNTS.join(', ')} slices, under the distribution sql/02_create_staging.sql and
sql/03_create_star.sql declare: KEY by a hash of the key (every NULL key on one slice),
EVEN round-robin, ALL a full copy on each node. For each KEY and EVEN table: the rows on
each slice and the skew (rows on the fullest slice / mean rows per slice), then the
targets (${SKEW_TARGETS.map((t) => `≤ ${t.maxSkew} at ${t.slices} slices`).join(', ')}). Computed in SQL on the warehouse.
Exits 0 when every target is met, 1 when one is not.`,
  options: {
    ...warehouseOptions({ db: 'the PGlite warehouse, as npm run local', databaseUrl: 'a Postgres server warehouse instead' }),
    json: { type: 'boolean', help: 'print only {"tables":[...],"targets":[...]} (rows of every slice)' },
  },
});

async function main(values: OptionValues<typeof SKEW.options>): Promise<number> {
  const location = warehouseLocation(values);
  if ('dbDir' in location && !existsSync(location.dbDir)) throw new Error(`No warehouse at ${location.dbDir} yet: npm run local builds it.`);
  const tables = await withWarehouse(location, (engine) => skewReport(engine.db));
  const targets = skewTargets(tables, 'this warehouse');
  if (values.json) {
    console.log(JSON.stringify({ tables, targets }));
  } else {
    console.log(`${skewTable(tables)}\n${SKEW_LEGEND}`);
    console.log(`\nTargets:\n${formatTable(['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']), 1)}`);
  }
  return targets.every((target) => target.met) ? 0 : 1;
}

runCli(SKEW, main);
