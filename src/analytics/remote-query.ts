import { randomUUID } from 'node:crypto';
import type { DataApi, ResultRow } from '../data-api/client';
import type { WarehouseAddress } from '../data-api/target';
import type { AnalyticsReader } from './queries';

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
  // Unique per query: the name is the batch's ClientToken, and a repeated token returns the first query's results.
  const id = await api.submitBatch(target, [sql], `sparkify-query-${randomUUID()}`);
  await api.waitFor(id, { what: 'The query', sleep });
  return api.resultRows(`${id}:1`);
}

/** The deployed warehouse as an {@link AnalyticsReader}: each statement runs as it is, through the Data API. */
export function dataApiReader(api: DataApi, target: WarehouseAddress, sleep: (ms: number) => Promise<void>): AnalyticsReader {
  return { query: async <Row extends object>(redshiftSql: string) => (await runRemoteQuery(api, target, redshiftSql, sleep)) as unknown as Row[] };
}
