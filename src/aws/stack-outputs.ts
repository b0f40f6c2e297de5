import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { DataApi } from '../data-api/client';
import { checkAddress, type WarehouseAddress } from '../data-api/target';

/** A deployed stack's outputs, by key (lib/sparkify-stack.ts writes them). */
export type StackOutputs = Readonly<Record<string, string | undefined>>;

/** Reads a deployed stack's outputs. */
export async function readStackOutputs(cloudFormation: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  const output = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((output.Stacks?.[0]?.Outputs ?? []).map((item) => [item.OutputKey ?? '', item.OutputValue ?? '']));
}

/** The warehouse the outputs name, without credentials: the cluster or the workgroup, and the database. */
function warehouseOf(outputs: StackOutputs, stackName: string): WarehouseAddress {
  const { Database: database, ClusterIdentifier: clusterIdentifier, WorkgroupName: workgroupName } = outputs;
  if (!database) throw new Error(`Stack ${stackName} has no Database output: is it a Sparkify warehouse stack?`);
  return checkAddress({ database, ...(clusterIdentifier ? { clusterIdentifier } : {}), ...(workgroupName ? { workgroupName } : {}) }, `Stack ${stackName}`);
}

/**
 * The warehouse as its admin user, the owner of the tables: with the admin secret.
 * @throws naming what is missing, for outputs that are not a Sparkify warehouse stack's
 */
export function adminTargetOf(outputs: StackOutputs, stackName: string): WarehouseAddress {
  const target = warehouseOf(outputs, stackName);
  if (!outputs.AdminSecretArn) throw new Error(`Stack ${stackName} names no admin secret: deploy this version of the stack`);
  return { ...target, secretArn: outputs.AdminSecretArn };
}

/** How an analyst reads the warehouse: the role to assume, and the warehouse to reach with its own IAM identity (no secret). */
export interface AnalystAccess {
  readonly roleArn: string;
  readonly target: WarehouseAddress;
}

/**
 * The analysts' role and warehouse the outputs name.
 * @throws for a stack without the analysts' role
 */
export function analystAccessOf(outputs: StackOutputs, stackName: string): AnalystAccess {
  const target = warehouseOf(outputs, stackName);
  if (!outputs.AnalystRoleArn) throw new Error(`Stack ${stackName} has no AnalystRoleArn output: deploy this version of the stack`);
  return { roleArn: outputs.AnalystRoleArn, target };
}

/**
 * A Data API session as the analysts' role: assumes it (the caller's credentials must be
 * allowed to), so statements run as its database user, which holds the role `analysts`.
 */
export async function analystDataApi(roleArn: string, region: string | undefined): Promise<DataApi> {
  const assumed = await new STSClient({ region }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `sparkify-analyst-${Date.now()}` }));
  const credentials = assumed.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error(`Assuming ${roleArn} gave no credentials`);
  return new DataApi(
    new RedshiftDataClient({
      region,
      maxAttempts: 6,
      credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken },
    }),
  );
}
