import { randomUUID } from 'node:crypto';
import type { DataApi, ResultRow, WarehouseTarget } from '../data-api/client';
import type { AnalyticsReader } from './queries';

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
  // Unique per query: the name is the batch's ClientToken, and a repeated token returns the first query's results.
  const id = await api.submitBatch(target, [sql], `sparkify-query-${randomUUID()}`);
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const description = await api.describe(id);
    if (description.state === 'FINISHED') return api.resultRows(`${id}:1`);
    if (description.state === 'FAILED' || description.state === 'ABORTED') {
      throw new Error(`The query ${description.state}: ${description.subStatements[0]?.error ?? description.error ?? 'no error given'}`);
    }
    await sleep(1000);
  }
  throw new Error(`The query did not finish after ${attempts} looks`);
}

/** The deployed warehouse as an {@link AnalyticsReader}: each statement runs as it is, through the Data API. */
export function dataApiReader(api: DataApi, target: WarehouseTarget, sleep: (ms: number) => Promise<void>): AnalyticsReader {
  return { query: async <Row extends object>(redshiftSql: string) => (await runRemoteQuery(api, target, redshiftSql, sleep)) as unknown as Row[] };
}
