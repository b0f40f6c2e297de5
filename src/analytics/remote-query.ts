import { randomUUID } from 'node:crypto';
import type { DataApi, ResultRow } from '../data-api/client';
import type { WarehouseAddress } from '../data-api/target';
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
 * (`sleep` between looks, two minutes of pauses at the most).
 */
export async function runRemoteQuery(
  api: DataApi,
  target: WarehouseAddress,
  sql: string,
  sleep: (ms: number) => Promise<void>,
): Promise<ResultRow[]> {
  // The warehouse's tables are in its own schema: a batch runs in one session, so the
  // search path set by its first statement holds for the query (docs/AWS-FACTS.md).
  const statements = [enterSchemaStatement(), sql];
  // Unique per query: the name is the batch's ClientToken, and a repeated token returns the first query's results.
  const id = await api.submitBatch(target, statements, `sparkify-query-${randomUUID()}`);
  try {
    await api.waitFor(id, { what: 'The query', sleep });
  } catch (error) {
    const message = (error as Error).message;
    throw /does not exist/.test(message) ? new Error(`${message}${NOT_FOUND_HINT}`, { cause: error }) : error;
  }
  return api.resultRows(`${id}:${statements.length}`);
}

/**
 * How a deployed warehouse gets loaded: the deploy's load (and a schedule's runs) read the
 * source bucket, so an empty warehouse means they found no plays there.
 */
const DEPLOYED_LOADING = `# The deploy's load read the source bucket's log_data/ and song_data/ and found no plays.
# Put event logs there (or name another source: -c sourceBucket=… -c logPrefix=…), then:
npx cdk deploy                         # a changed source loads again; a schedule loads new files on its own
npm run report -- --stack STACK`;

/** The deployed warehouse as an {@link AnalyticsReader}: each statement runs as it is, through the Data API. */
export function dataApiReader(api: DataApi, target: WarehouseAddress, sleep: (ms: number) => Promise<void>): AnalyticsReader {
  return {
    query: async <Row extends object>(redshiftSql: string) => (await runRemoteQuery(api, target, redshiftSql, sleep)) as unknown as Row[],
    howToLoad: DEPLOYED_LOADING,
  };
}
