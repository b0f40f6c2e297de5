import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { readAppConfig } from '../../lib/app-config';
import { resolveSource } from '../../lib/source';
import { describePlan, runPreflight, type DeployPlan } from '../aws/preflight';
import { defaultMaxCapacity, WAREHOUSE_SIZE_DEFAULTS } from '../aws/redshift-capacity';
import { CONTEXT_OPTIONS, contextFromOptions } from './context-options';
import { defineCommand, regionOption, regionOrEnvironment, type OptionValues } from './options';
import { UsageError, runCli } from './run-cli';

const PREFLIGHT = defineCommand({
  usage: 'Usage: npm run preflight -- [--region REGION] [the same settings as cdk deploy -c ...]',
  about: `Before a deploy: checks the AWS credentials (STS), that the caller may assume the CDK
bootstrap roles that create and pass the stack's roles (IAM policy simulation), that
the CDK bootstrap stack exists in the target account and region, that the source
bucket is readable and, with --schedule, in the target region; then prints what will
be created and its cost per hour and per month with these settings (node count and
pause schedule, or base and maximum RPUs and usage limit). Exit code 1 when a check fails, with what to do about it.`,
  options: { region: regionOption('target region'), ...CONTEXT_OPTIONS },
});

async function main(values: OptionValues<typeof PREFLIGHT.options>): Promise<number> {
  const region = regionOrEnvironment(values.region);
  if (!region) throw new UsageError('Say which region: --region REGION, or set AWS_REGION');
  const context = contextFromOptions(values);
  const config = readAppConfig((key) => context[key]);
  const source = resolveSource(config.props.source);
  const baseCapacity = config.props.baseCapacity ?? WAREHOUSE_SIZE_DEFAULTS.baseCapacity;
  const plan: DeployPlan = {
    region,
    serverless: config.props.serverless ?? false,
    nodeType: config.props.nodeType ?? WAREHOUSE_SIZE_DEFAULTS.nodeType,
    numberOfNodes: config.props.numberOfNodes ?? WAREHOUSE_SIZE_DEFAULTS.numberOfNodes,
    baseCapacity,
    maxCapacity: config.props.maxCapacity ?? defaultMaxCapacity(baseCapacity),
    usageLimit: config.props.usageLimit,
    activeHours: config.props.activeHours,
    source: config.sampleData ? undefined : source,
    schedule: config.props.schedule?.expressionString,
    analystBastion: config.props.analystBastion ?? false,
  };
  const outcomes = await runPreflight(
    {
      sts: new STSClient({ region }),
      iam: new IAMClient({ region }),
      cloudFormation: new CloudFormationClient({ region }),
      sourceS3: new S3Client({ region: source.region }),
    },
    plan,
  );
  for (const outcome of outcomes) console.log(`${outcome.ok ? 'ok  ' : 'FAIL'}  ${outcome.check}: ${outcome.detail}`);
  console.log(`\n${describePlan(plan).join('\n')}`);
  return outcomes.every((outcome) => outcome.ok) ? 0 : 1;
}

runCli(PREFLIGHT, main);
