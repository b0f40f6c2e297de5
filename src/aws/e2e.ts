import type { DataApi } from '../data-api/client';
import type { WarehouseAddress } from '../data-api/target';
import { runRemoteQuery } from '../analytics/remote-query';
import { adminTargetOf } from './stack-outputs';

/** What the end-to-end run needs from the outside world; tests pass fakes. */
export interface E2eDeps {
  /** Runs a command to its end (throws when it fails). */
  run(command: string, args: readonly string[]): Promise<void>;
  /** The stack outputs `cdk deploy --outputs-file` wrote. */
  readOutputs(file: string): Record<string, Record<string, string>>;
  /** The row counts `npm run local` gives on the same sample. */
  localCounts(): Promise<Record<string, number>>;
  readonly dataApi: DataApi;
  /** The summary query of sql/07_summary.sql. */
  readonly summarySql: string;
  log(line: string): void;
  /** Waits between two looks at the running query. */
  sleep(ms: number): Promise<void>;
  /**
   * Also check a scheduled load (`npm run e2e -- --scheduled`).
   * @default none: only the deploy's load is checked
   */
  readonly scheduled?: ScheduledE2eDeps;
}

/** What checking a scheduled load needs. */
export interface ScheduledE2eDeps {
  /** Uploads a day the sample does not have to the stack's sample bucket. */
  putExtraDay(bucket: string): Promise<void>;
  /** The local row counts once that day is loaded on top of the sample. */
  localCountsWithExtraDay(): Promise<Record<string, number>>;
  /** Invokes the scheduled load function once, waiting for it; what it returned. */
  invoke(functionName: string): Promise<unknown>;
}

/** What the run found. */
export interface E2eResult {
  readonly expected: Record<string, number>;
  readonly actual: Record<string, number>;
  /** With `scheduled`: the counts after the scheduled load. */
  readonly afterScheduledLoad?: Record<string, number>;
  /** `table: local N, AWS M` for each count that differs, and what else went wrong (none: all matches). */
  readonly differences: readonly string[];
}

/**
 * Deploys the sampleData variant to a throwaway stack, reads the row counts through the
 * Data API, compares them with the local run on the same sample, and destroys the stack
 * whatever happened. With `scheduled`, the stack has a (daily) schedule too, and between
 * the two it adds a day to the sample bucket, runs the scheduled load function twice and
 * checks that the first loads it (counts as the local incremental run gives) and the
 * second finds nothing new.
 */
export async function runE2e(deps: E2eDeps, stackName: string, outputsFile: string): Promise<E2eResult> {
  const expected = await deps.localCounts();
  const context = [
    ...['-c', 'sampleData=true', '-c', `stackName=${stackName}`, '-c', 'destroyOnDelete=true'],
    ...(deps.scheduled ? ['-c', 'schedule=rate(1 day)'] : []),
  ];
  try {
    deps.log(`deploying ${stackName} (sample data; it is destroyed afterwards)…`);
    await deps.run('npx', ['cdk', 'deploy', ...context, '--require-approval', 'never', '--outputs-file', outputsFile]);
    const outputs = deps.readOutputs(outputsFile)[stackName];
    if (!outputs) throw new Error(`cdk deploy wrote no outputs for ${stackName} to ${outputsFile}`);
    const target = adminTargetOf(outputs, stackName);
    const actual = await queryCounts(deps, target);
    const differences = compareCounts(expected, actual, Object.keys(expected));
    if (!deps.scheduled) return { expected, actual, differences };
    const scheduled = await checkScheduledLoad(deps, deps.scheduled, outputs, target);
    return { expected, actual, afterScheduledLoad: scheduled.actual, differences: [...differences, ...scheduled.differences] };
  } finally {
    deps.log(`destroying ${stackName}…`);
    await deps.run('npx', ['cdk', 'destroy', '--force', ...context]);
  }
}

/** `table: local N, AWS M` for each of `tables` whose counts differ. */
function compareCounts(expected: Record<string, number>, actual: Record<string, number>, tables: readonly string[], label = ''): string[] {
  return tables.filter((table) => expected[table] !== actual[table]).map((table) => `${label}${table}: local ${expected[table]}, AWS ${actual[table]}`);
}

/**
 * Adds a day to the sample bucket and runs the scheduled load twice. The deploy's load
 * left load_manifest empty, so the first run records every file and loads the new day;
 * the star tables must then hold what the local incremental run gives (staging tables
 * differ by design: the run stages every file). The second run must find nothing new.
 */
async function checkScheduledLoad(
  deps: E2eDeps,
  scheduled: ScheduledE2eDeps,
  outputs: Record<string, string>,
  target: WarehouseAddress,
): Promise<{ actual: Record<string, number>; differences: string[] }> {
  const bucket = /^s3:\/\/([^/]+)\//.exec(outputs.SourceUri ?? '')?.[1];
  const functionName = outputs.ScheduledLoadFunctionName;
  if (!bucket || !functionName) throw new Error('The stack has no SourceUri or ScheduledLoadFunctionName output: was it deployed with a schedule?');
  deps.log(`adding a day to s3://${bucket}/ and running ${functionName}…`);
  await scheduled.putExtraDay(bucket);
  const differences: string[] = [];
  const first = (await scheduled.invoke(functionName)) as { status?: string };
  if (first?.status !== 'loaded') differences.push(`scheduled load: the first run returned ${JSON.stringify(first)}, not status "loaded"`);
  const expected = await scheduled.localCountsWithExtraDay();
  const actual = await queryCounts(deps, target);
  const starTables = Object.keys(expected).filter((table) => !table.startsWith('staging_'));
  differences.push(...compareCounts(expected, actual, starTables, 'after the scheduled load: '));
  const second = (await scheduled.invoke(functionName)) as { status?: string };
  if (second?.status !== 'nothing-new') differences.push(`scheduled load: the second run returned ${JSON.stringify(second)}, not status "nothing-new"`);
  return { actual, differences };
}

async function queryCounts(deps: E2eDeps, target: WarehouseAddress): Promise<Record<string, number>> {
  const [row] = await runRemoteQuery(deps.dataApi, target, deps.summarySql, deps.sleep);
  return Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]));
}
