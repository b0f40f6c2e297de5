import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureDefaultSample } from '../src/generate/sample';
import { readAppConfig } from './app-config';
import { SparkifyStack } from './sparkify-stack';

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
    return `<${ref}>`;
  }
  throw new Error(`Cannot show ${JSON.stringify(value)} as text`);
}

/** The statements the load of a stack with these context values sends, with placeholders for deploy-time values. */
export async function deployStatements(context: Record<string, string>, roleArn: string = ROLE_ARN_PLACEHOLDER): Promise<string[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'sparkify-sql-'));
  try {
    // No Lambda bundling: only the template is read.
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const config = readAppConfig((key) => app.node.tryGetContext(key));
    const stack = new SparkifyStack(app, config.stackName, {
      ...config.props,
      sampleDataDir: config.sampleData ? await ensureDefaultSample() : undefined,
    });
    const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: { Statements: unknown[] } }> };
    const load = Object.values(template.Resources).find((resource) => resource.Type === 'Custom::SparkifyLoad');
    if (!load) throw new Error('The stack has no Custom::SparkifyLoad resource');
    return load.Properties.Statements.map((statement) => render(statement, roleArn));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

