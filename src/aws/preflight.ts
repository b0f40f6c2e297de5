import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { SourceFiles } from '../sql/plan';
import { describeActiveHours, runningHoursPerWeek, type ActiveHours } from './pause-schedule';
import { analystBastionCost } from './analyst-bastion-cost';
import { clusterCost, HOURS_PER_WEEK, serverlessCost, type Ra3NodeType, type UsageLimitCeiling } from './redshift-capacity';

/** The AWS clients the preflight uses; tests pass mocked ones. */
export interface PreflightClients {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly cloudFormation: CloudFormationClient;
  /** A client in the source bucket's region. */
  readonly sourceS3: S3Client;
}

/** What is about to be deployed. */
export interface DeployPlan {
  readonly region: string;
  readonly serverless: boolean;
  readonly nodeType: Ra3NodeType;
  readonly numberOfNodes: number;
  readonly baseCapacity: number;
  /** The Serverless workgroup's RPU ceiling. */
  readonly maxCapacity: number;
  /** The Serverless workgroup's RPU-hour usage limit, if any. */
  readonly usageLimit?: UsageLimitCeiling;
  /** The hours a cluster runs (paused otherwise), if it has a pause schedule. */
  readonly activeHours?: ActiveHours;
  /** The source to check, or undefined for the stack's own sample bucket. */
  readonly source?: SourceFiles;
  /** The scheduled loads' EventBridge expression, or undefined without a schedule. */
  readonly schedule?: string;
  /** Whether the stack adds the analysts' bastion (an instance and three interface endpoints). */
  readonly analystBastion?: boolean;
}

/** One check's outcome. */
export interface CheckOutcome {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The CDK bootstrap qualifier the app uses (the default). */
const QUALIFIER = 'hnb659fds';

/** The role ARN behind a caller ARN (an assumed-role session becomes its role). */
export function principalArn(callerArn: string): string {
  const assumed = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : callerArn;
}

/** Runs every check in order; a failed credentials check stops the rest (they need an account). */
export async function runPreflight(clients: PreflightClients, plan: DeployPlan): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  let identity: { account: string; arn: string };
  try {
    const output = await clients.sts.send(new GetCallerIdentityCommand({}));
    identity = { account: output.Account ?? '', arn: output.Arn ?? '' };
    outcomes.push({ check: 'AWS credentials', ok: true, detail: `${identity.arn} in account ${identity.account}` });
  } catch (error) {
    outcomes.push({
      check: 'AWS credentials',
      ok: false,
      detail: `${(error as Error).message}. Configure credentials (aws configure, AWS_PROFILE or SSO) and try again.`,
    });
    return outcomes;
  }
  outcomes.push(await checkPermissions(clients, identity, plan.region));
  outcomes.push(await checkBootstrap(clients, identity.account, plan.region));
  if (plan.source) outcomes.push(await checkSource(clients, plan.source));
  if (plan.schedule && plan.source) outcomes.push(checkScheduledSourceRegion(plan.source, plan.region));
  return outcomes;
}

/** Scheduled loads COPY from a manifest in the stack's bucket, so the source must be in the stack's region. */
function checkScheduledSourceRegion(source: SourceFiles, region: string): CheckOutcome {
  const ok = source.region === region;
  return {
    check: 'scheduled loads: source in the stack region',
    ok,
    detail: ok
      ? `s3://${source.bucket} is in ${region}`
      : `s3://${source.bucket} is in ${source.region}, the stack would be in ${region}: scheduled loads would fail. ` +
        `Deploy in ${source.region}, copy the files to a bucket in ${region}, or use --sample-data true.`,
  };
}

async function checkPermissions(clients: PreflightClients, identity: { account: string; arn: string }, region: string): Promise<CheckOutcome> {
  const role = (kind: string) => `arn:aws:iam::${identity.account}:role/cdk-${QUALIFIER}-${kind}-role-${identity.account}-${region}`;
  try {
    const output = await clients.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principalArn(identity.arn),
        ActionNames: ['sts:AssumeRole'],
        ResourceArns: [role('deploy'), role('file-publishing'), role('lookup')],
      }),
    );
    const denied = (output.EvaluationResults ?? []).flatMap((result) =>
      result.EvalDecision === 'allowed'
        ? []
        : (result.ResourceSpecificResults ?? [])
            .filter((resource) => resource.EvalResourceDecision !== 'allowed')
            .map((resource) => `${result.EvalActionName} on ${resource.EvalResourceName}`),
    );
    return denied.length === 0
      ? { check: 'may deploy (assume the CDK roles that create and pass the stack roles)', ok: true, detail: 'allowed' }
      : {
          check: 'may deploy (assume the CDK roles that create and pass the stack roles)',
          ok: false,
          detail: `denied: ${denied.join(', ')}. Ask for sts:AssumeRole on the CDK bootstrap roles.`,
        };
  } catch (error) {
    return {
      check: 'may deploy (assume the CDK roles that create and pass the stack roles)',
      ok: false,
      detail: `could not simulate the policy (${(error as Error).message}); the caller needs iam:SimulatePrincipalPolicy on itself.`,
    };
  }
}

async function checkBootstrap(clients: PreflightClients, account: string, region: string): Promise<CheckOutcome> {
  try {
    const output = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
    const status = output.Stacks?.[0]?.StackStatus ?? 'unknown';
    const ok = /_COMPLETE$/.test(status) && !/DELETE|ROLLBACK_COMPLETE$/.test(status);
    return { check: 'CDK bootstrap stack', ok, detail: ok ? `CDKToolkit is ${status}` : `CDKToolkit is ${status}: run npx cdk bootstrap aws://${account}/${region}` };
  } catch (error) {
    return { check: 'CDK bootstrap stack', ok: false, detail: `${(error as Error).message}: run npx cdk bootstrap aws://${account}/${region}` };
  }
}

async function checkSource(clients: PreflightClients, source: SourceFiles): Promise<CheckOutcome> {
  const where = `s3://${source.bucket}`;
  try {
    await clients.sourceS3.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.jsonPathsKey }));
    for (const prefix of [source.songPrefix, source.logPrefix]) {
      const listed = await clients.sourceS3.send(new ListObjectsV2Command({ Bucket: source.bucket, Prefix: prefix, MaxKeys: 1 }));
      if (!listed.KeyCount) return { check: 'source bucket readable', ok: false, detail: `${where}/${prefix} holds no object` };
    }
    return { check: 'source bucket readable', ok: true, detail: `${where}: ${source.jsonPathsKey}, ${source.songPrefix}, ${source.logPrefix}` };
  } catch (error) {
    return { check: 'source bucket readable', ok: false, detail: `${where}: ${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A dollar amount as the preflight prints it: $1,585.56. */
const usd = (amount: number) => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The warehouse's compute cost, per hour and per month (730 h), with the settings that decide it. */
function warehouseCostLine(plan: DeployPlan): string {
  if (!plan.serverless) {
    const hours = plan.activeHours ? runningHoursPerWeek(plan.activeHours) : HOURS_PER_WEEK;
    const cost = clusterCost(plan.nodeType, plan.numberOfNodes, hours);
    const when = plan.activeHours
      ? `running ${describeActiveHours(plan.activeHours)} (${hours} of ${HOURS_PER_WEEK} hours a week), paused otherwise`
      : 'running all the time (no pause schedule)';
    return `Redshift cluster of ${plan.numberOfNodes} ${plan.nodeType} node(s): about ${usd(cost.hourly.high)} per hour while it runs; ${when}: about ${usd(cost.monthly.high)} a month`;
  }
  const cost = serverlessCost(plan.baseCapacity, plan.maxCapacity, plan.usageLimit);
  const ceiling = plan.usageLimit
    ? `at most ${usd(cost.monthly.high)} a month (the usage limit: ${plan.usageLimit.rpuHours} RPU-hours ${plan.usageLimit.period})`
    : `no usage limit: up to ${usd(cost.monthly.high)} a month if queries ran all month at the ceiling`;
  return (
    `Redshift Serverless namespace + workgroup, ${plan.baseCapacity} RPUs base, ${plan.maxCapacity} at most: about ${usd(cost.hourly.low)} to ` +
    `${usd(cost.hourly.high)} per hour while queries run, nothing while idle; ${ceiling}`
  );
}

/** The analysts' bastion and what it costs. */
function analystBastionLine(): string {
  const cost = analystBastionCost();
  return (
    `- the analysts' bastion: a t4g.nano instance and three Session Manager interface endpoints in one AZ, ` +
    `about ${usd(cost.hourly)} per hour, ${usd(cost.monthly)} a month with its volume (plus ${usd(cost.perGbThroughEndpoints)} per GB through the endpoints)`
  );
}

/** What a deploy creates and what it costs per hour and per month, as lines to print. */
export function describePlan(plan: DeployPlan): string[] {
  const warehouse = warehouseCostLine(plan);
  return [
    `In ${plan.region}:`,
    `- ${warehouse}`,
    '- VPC with isolated subnets, S3 gateway endpoint and flow logs (no NAT: no hourly charge)',
    '- IAM roles (COPY, load), audit log bucket, the admin secret ($0.40 a month), the load Lambdas (pennies per deploy)',
    plan.source ? `- loads s3://${plan.source.bucket}` : '- a private bucket with the generated sample, loaded from there',
    ...(plan.schedule
      ? [`- loads new files on ${plan.schedule}: an EventBridge rule, a Lambda, a dead-letter queue, an alarm and an SNS topic (pennies a month)`]
      : []),
    ...(plan.analystBastion ? [analystBastionLine()] : []),
    'Prices are approximate us-east-1 on-demand list prices; see the Amazon Redshift pricing page for your region.',
  ];
}
