import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DataApi, ResultRow, WarehouseTarget } from '../../lambda/data-api';

/** The warehouse a deployed stack's outputs point at (cluster and admin secret, or workgroup). */
export async function stackTarget(cloudFormation: CloudFormationClient, stackName: string): Promise<WarehouseTarget> {
  const output = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((output.Stacks?.[0]?.Outputs ?? []).map((item) => [item.OutputKey ?? '', item.OutputValue ?? '']));
  return targetOfOutputs(outputs, stackName);
}

/**
 * The warehouse a stack's outputs name, as its admin user (the owner of the tables): the
 * admin secret with the cluster or the workgroup.
 * @throws naming what is missing, for outputs that are not a Sparkify warehouse stack's
 */
export function targetOfOutputs(outputs: Readonly<Record<string, string | undefined>>, stackName: string): WarehouseTarget {
  const { Database: database, AdminSecretArn: secretArn, ClusterIdentifier: clusterIdentifier, WorkgroupName: workgroupName } = outputs;
  if (!database) throw new Error(`Stack ${stackName} has no Database output: is it a Sparkify warehouse stack?`);
  if (!secretArn || !(clusterIdentifier || workgroupName)) {
    throw new Error(`Stack ${stackName} names no admin secret with a cluster or workgroup: deploy this version of the stack`);
  }
  return workgroupName ? { database, workgroupName, secretArn } : { database, clusterIdentifier, secretArn };
}

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
  const id = await api.submitBatch(target, [sql], `sparkify-query-${Date.now()}`);
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
