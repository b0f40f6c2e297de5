import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureDefaultSample } from '../generate/sample';
import { parseScheduledLoadConfig, SCHEDULED_LOAD_CONFIG_VARIABLE } from '../data-api/scheduled-config';
import { toRedshiftSql } from '../sql/plan';
import { buildScheduledPlan, readScheduledSql } from '../sql/scheduled-plan';
import { readAppConfig } from '../../lib/app-config';
import { SparkifyStack } from '../../lib/sparkify-stack';

/** What the SQL printout shows for the COPY role when no ARN is given. */
export const ROLE_ARN_PLACEHOLDER = 'arn:aws:iam::<account>:role/<copy-role>';

/** A CloudFormation value as text: strings as they are, references as readable placeholders. */
function render(value: unknown, roleArn: string): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, roleArn)).join(separator);
  }
  if ('Fn::GetAtt' in intrinsic) {
    const [logicalId, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    if (logicalId.startsWith('CopyRole') && attribute === 'Arn') return roleArn;
    return `<${logicalId}.${attribute}>`;
  }
  if ('Ref' in intrinsic) {
    const ref = intrinsic.Ref as string;
    if (ref === 'AWS::Region') return '<region>';
    if (ref.startsWith('SampleData')) return '<sample-bucket>';
    if (ref.startsWith('ScheduledLoadRuns')) return '<runs-bucket>';
    if (ref.startsWith('StagingBucket')) return '<staging-bucket>';
    return `<${ref}>`;
  }
  throw new Error(`Cannot show ${JSON.stringify(value)} as text`);
}

/** A resource of the synthesized template. */
interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** Synthesizes the app's stack with these context values (no Lambda bundling: only the template is read). */
async function synthResources(context: Record<string, string>): Promise<TemplateResource[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'sparkify-sql-'));
  try {
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const config = readAppConfig((key) => app.node.tryGetContext(key));
    const stack = new SparkifyStack(app, config.stackName, {
      ...config.props,
      sampleDataDir: config.sampleData ? await ensureDefaultSample() : undefined,
    });
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, TemplateResource> };
    return Object.values(template.Resources);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The statements the load of a stack with these context values sends, with placeholders for deploy-time values. */
export async function deployStatements(context: Record<string, string>, roleArn: string = ROLE_ARN_PLACEHOLDER): Promise<string[]> {
  const load = (await synthResources(context)).find((resource) => resource.Type === 'Custom::SparkifyLoad');
  if (!load) throw new Error('The stack has no Custom::SparkifyLoad resource');
  return (load.Properties.Statements as unknown[]).map((statement) => render(statement, roleArn));
}

/** Where a printed scheduled run says it wrote its lists. */
export const RUN_PLACEHOLDER = 'runs/<request-id>';

/**
 * The statements one scheduled run sends when it found new files of both kinds, built as
 * the scheduled function builds them: from its settings in the synthesized template and
 * sql/ with sql/scheduled/. Without a `schedule` in the context, `rate(1 hour)` is assumed.
 */
export async function scheduledRunStatements(context: Record<string, string>, roleArn: string = ROLE_ARN_PLACEHOLDER): Promise<string[]> {
  const resources = await synthResources({ schedule: 'rate(1 hour)', ...context });
  const variable = resources
    .map((resource) => (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables)
    .find((variables) => variables?.[SCHEDULED_LOAD_CONFIG_VARIABLE] !== undefined)?.[SCHEDULED_LOAD_CONFIG_VARIABLE];
  if (variable === undefined) throw new Error('The stack has no scheduled load function');
  const config = parseScheduledLoadConfig(render(variable, roleArn));
  const runUri = (name: string) => `s3://${config.runsBucket}/${RUN_PLACEHOLDER}/${name}`;
  const plan = buildScheduledPlan(readScheduledSql(), config.source, {
    fileListUri: runUri('files.json'),
    logManifestUri: runUri('log_data.manifest'),
    songManifestUri: runUri('song_data.manifest'),
  });
  return toRedshiftSql(plan);
}
