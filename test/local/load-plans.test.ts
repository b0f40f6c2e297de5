import { describe, expect, it } from 'vitest';
import type { LocalEngine } from '../../src/local/database';
import { localCopySource, runLocalEtl } from '../../src/local/runner';
import { adaptForPostgres } from '../../src/sql/postgres';
import { buildLoadPlan } from '../../src/sql/plan';
import { readSqlFiles } from '../../src/sql/sql-files';
import { dataDir, play, song } from '../helpers/fixtures';
import { ENGINES, openTestEngine } from '../helpers/engines';

/** The checks of the load, as the local runner runs them. */
const CHECKS = buildLoadPlan(readSqlFiles(), localCopySource(0), 'incremental').filter((statement) => statement.kind === 'check');

/** Session settings that make the planner choose parallel workers for any table, however small (PGlite's default is 0 workers). */
const PARALLEL_FOR_FREE = ['max_parallel_workers_per_gather = 2', 'parallel_setup_cost = 0', 'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0', 'min_parallel_index_scan_size = 0'];

/** What the load's transaction planned for its checks, and what it would have with two workers. */
interface CheckPlans {
  readonly asLoaded: string[];
  readonly withWorkers: string[];
}

/**
 * An engine whose load transaction, once the load's work is done, explains every check
 * there as the load ran it, then again allowing two workers per Gather.
 */
function explainingChecks(engine: LocalEngine, plans: CheckPlans): LocalEngine {
  return {
    ...engine,
    transaction: (work) =>
      engine.transaction(async (db) => {
        const result = await work(db);
        const explain = async (into: string[]) => {
          for (const check of CHECKS) {
            const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${adaptForPostgres(check.sql)}`);
            into.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
          }
        };
        await explain(plans.asLoaded);
        await db.query('SET LOCAL max_parallel_workers_per_gather = 2');
        await explain(plans.withWorkers);
        return result;
      }),
  };
}

describe.each(ENGINES)('the load plans its queries without parallel workers, on %s', (engineName) => {
  it('no check is planned with a Gather inside the load, even where the session makes workers free', async () => {
    const engine = await openTestEngine(engineName);
    try {
      for (const setting of PARALLEL_FOR_FREE) await engine.db.query(`SET ${setting}`);
      const plans: CheckPlans = { asLoaded: [], withWorkers: [] };
      const report = await runLocalEtl(explainingChecks(engine, plans), { dataDir: dataDir([song()], [play(), play({ itemInSession: 2 })]) });
      expect(report.checks.every((check) => check.ok)).toBe(true);
      expect(plans.asLoaded).toHaveLength(CHECKS.length);
      for (const plan of plans.asLoaded) expect(plan).not.toMatch(/Gather|Parallel/);
      // The same transaction, allowed workers, plans some check with them: the settings bite.
      expect(plans.withWorkers.some((plan) => /Gather/.test(plan))).toBe(true);
      // SET LOCAL: the session's own setting is back once the load has committed.
      const [{ workers }] = await engine.db.query<{ workers: string }>(`SELECT current_setting('max_parallel_workers_per_gather') AS workers`);
      expect(workers).toBe('2');
    } finally {
      await engine.close();
    }
  });
});
