import type { DataApi, WarehouseTarget } from '../../lambda/data-api';
import { runRemoteQuery } from '../analytics/remote-query';

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
}

/** What the run found. */
export interface E2eResult {
  readonly expected: Record<string, number>;
  readonly actual: Record<string, number>;
  /** `table: local N, AWS M` for each count that differs (none: the deploy matches). */
  readonly differences: readonly string[];
}

/**
 * Deploys the sampleData variant to a throwaway stack, reads the row counts through the
 * Data API, compares them with the local run on the same sample, and destroys the stack
 * whatever happened.
 */
export async function runE2e(deps: E2eDeps, stackName: string, outputsFile: string): Promise<E2eResult> {
  const expected = await deps.localCounts();
  const context = ['-c', 'sampleData=true', '-c', `stackName=${stackName}`, '-c', 'destroyOnDelete=true'];
  try {
    deps.log(`deploying ${stackName} (sample data; it is destroyed afterwards)…`);
    await deps.run('npx', ['cdk', 'deploy', ...context, '--require-approval', 'never', '--outputs-file', outputsFile]);
    const outputs = deps.readOutputs(outputsFile)[stackName];
    if (!outputs) throw new Error(`cdk deploy wrote no outputs for ${stackName} to ${outputsFile}`);
    const target: WarehouseTarget = outputs.WorkgroupName
      ? { database: outputs.Database, workgroupName: outputs.WorkgroupName }
      : { database: outputs.Database, clusterIdentifier: outputs.ClusterIdentifier, secretArn: outputs.AdminSecretArn };
    const actual = await queryCounts(deps, target);
    const differences = Object.keys(expected)
      .filter((table) => expected[table] !== actual[table])
      .map((table) => `${table}: local ${expected[table]}, AWS ${actual[table]}`);
    return { expected, actual, differences };
  } finally {
    deps.log(`destroying ${stackName}…`);
    await deps.run('npx', ['cdk', 'destroy', '--force', ...context]);
  }
}

async function queryCounts(deps: E2eDeps, target: WarehouseTarget): Promise<Record<string, number>> {
  const [row] = await runRemoteQuery(deps.dataApi, target, deps.summarySql, deps.sleep);
  return Object.fromEntries(Object.entries(row ?? {}).map(([key, value]) => [key, Number(value)]));
}
