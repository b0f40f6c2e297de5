import { describe, expect, it } from 'vitest';
import type { LocalEngine } from '../../src/local/database';
import { localCopySource, runLocalEtl } from '../../src/local/runner';
import { adaptForPostgres } from '../../src/sql/postgres';
import { buildLoadPlan } from '../../src/sql/plan';
import { readSqlFiles } from '../../src/sql/sql-files';
import { dataDir, play, song, writeTree } from '../helpers/fixtures';
import { ENGINES, openTestEngine } from '../helpers/engines';

/** The transform and check statements of an incremental load, as the local runner runs them. */
const PLANNED = buildLoadPlan(readSqlFiles(), localCopySource(0), 'incremental').filter(
  (statement) => statement.kind === 'transform' || statement.kind === 'check',
);

/** Session settings that make the planner choose parallel workers for any table, however small (PGlite's default is 0 workers). */
const PARALLEL_FOR_FREE = ['max_parallel_workers_per_gather = 2', 'parallel_setup_cost = 0', 'parallel_tuple_cost = 0', 'min_parallel_table_scan_size = 0', 'min_parallel_index_scan_size = 0'];

/** What the load's transaction planned for its statements, and what it would have planned with the session's own settings. */
interface LoadPlans {
  readonly asLoaded: string[];
  readonly withWorkers: string[];
  readonly withNestedLoops: string[];
}

/**
 * An engine whose load transaction, once the load's work is done, explains each of its
 * transform and check statements there as the load planned them, then again allowing two
 * workers per Gather, then again allowing nested loops.
 */
function explainingLoad(engine: LocalEngine, plans: LoadPlans): LocalEngine {
  return {
    ...engine,
    transaction: (work) =>
      engine.transaction(async (db) => {
        const result = await work(db);
        const explain = async (into: string[]) => {
          for (const statement of PLANNED) {
            const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${adaptForPostgres(statement.sql)}`);
            into.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
          }
        };
        await explain(plans.asLoaded);
        await db.query('SET LOCAL max_parallel_workers_per_gather = 2');
        await explain(plans.withWorkers);
        await db.query('SET LOCAL max_parallel_workers_per_gather = 0');
        await db.query('SET LOCAL enable_nestloop = on');
        await explain(plans.withNestedLoops);
        return result;
      }),
  };
}

describe.each(ENGINES)('the load plans its queries without parallel workers or nested loops, on %s', (engineName) => {
  it('no transform or check is planned with a Gather or a Nested Loop inside the load, where the session would have them', async () => {
    const engine = await openTestEngine(engineName);
    try {
      for (const setting of PARALLEL_FOR_FREE) await engine.db.query(`SET ${setting}`);
      const plans: LoadPlans = { asLoaded: [], withWorkers: [], withNestedLoops: [] };
      // A second day loaded on top of the first, repeating one of its plays: the statements that replace held rows have rows to rank.
      const data = dataDir([song()], [play(), play({ itemInSession: 2 })]);
      await runLocalEtl(engine, { dataDir: data });
      writeTree(data, { 'log_data/2018/11/2018-11-02-events.json': [play({ itemInSession: 2 }), play({ itemInSession: 3 })] });
      const report = await runLocalEtl(explainingLoad(engine, plans), { dataDir: data });
      expect(report.checks.every((check) => check.ok)).toBe(true);
      expect(plans.asLoaded).toHaveLength(PLANNED.length);
      for (const plan of plans.asLoaded) expect(plan).not.toMatch(/Gather|Parallel|Nested Loop/);
      // The same transaction with either setting undone plans some statement that way: each setting bites.
      expect(plans.withWorkers.some((plan) => /Gather/.test(plan))).toBe(true);
      expect(plans.withNestedLoops.some((plan) => /Nested Loop/.test(plan))).toBe(true);
      // SET LOCAL: the session's own settings are back once the load has committed.
      const [settings] = await engine.db.query<{ workers: string; nestloop: string; memory: string }>(
        `SELECT current_setting('max_parallel_workers_per_gather') AS workers, current_setting('enable_nestloop') AS nestloop, current_setting('work_mem') AS memory`,
      );
      expect(settings).toEqual({ workers: '2', nestloop: 'on', memory: '4MB' });
    } finally {
      await engine.close();
    }
  });
});
