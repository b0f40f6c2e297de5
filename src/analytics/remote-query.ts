import { randomUUID } from 'node:crypto';
import type { DataApi, ResultRow, WarehouseTarget } from '../../lambda/data-api';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { enterSchemaStatement } from '../sql/search-path';
import type { AnalyticsReader } from './queries';

/**
 * Why a query finds no table: the search path skips a schema the database user may not
 * use (Postgres does; docs/AWS-FACTS.md), so a reader without the grant sees no table at all.
 */
const NOT_FOUND_HINT =
  ` (the warehouse's tables are in schema ${DEFAULT_WAREHOUSE_SCHEMA}; a database user without USAGE on it, ` +
  'one not holding the database role analysts, finds none of them)';

/**
 * Runs one query through the Redshift Data API and returns its rows, waiting for it
 * (at most `attempts` looks, `sleep` between them).
 */
export async function runRemoteQuery(
  api: DataApi,
  target: WarehouseTarget,
  sql: string,
  sleep: (ms: number) => Promise<void>,
  attempts = 120,
): Promise<ResultRow[]> {
  // The warehouse's tables are in its own schema: a batch runs in one session, so the
  // search path set by its first statement holds for the query (docs/AWS-FACTS.md).
  const statements = [enterSchemaStatement(), sql];
  // Unique per query: the name is the batch's ClientToken, and a repeated token returns the first query's results.
  const id = await api.submitBatch(target, statements, `sparkify-query-${randomUUID()}`);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const description = await api.describe(id);
    if (description.state === 'FINISHED') return api.resultRows(`${id}:${statements.length}`);
    if (description.state === 'FAILED' || description.state === 'ABORTED') {
      const failed = description.subStatements.find((statement) => statement.error)?.error ?? description.error ?? 'no error given';
      throw new Error(`The query ${description.state}: ${failed}${/does not exist/.test(failed) ? NOT_FOUND_HINT : ''}`);
    }
    await sleep(1000);
  }
  throw new Error(`The query did not finish after ${attempts} looks`);
}

/** The deployed warehouse as an {@link AnalyticsReader}: each statement runs as it is, through the Data API. */
export function dataApiReader(api: DataApi, target: WarehouseTarget, sleep: (ms: number) => Promise<void>): AnalyticsReader {
  return { query: async <Row extends object>(redshiftSql: string) => (await runRemoteQuery(api, target, redshiftSql, sleep)) as unknown as Row[] };
}
