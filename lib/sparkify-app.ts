import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDefaultSample } from '../src/generate/sample';
import { readAppConfig } from './app-config';
import { SparkifyStack } from './sparkify-stack';

/**
 * Where the stack deploys: the account and region the CDK CLI found
 * (CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION), or environment-agnostic when it found none.
 */
export function defaultEnvironment(variables: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const account = variables.CDK_DEFAULT_ACCOUNT;
  const region = variables.CDK_DEFAULT_REGION;
  return account && region ? { account, region } : undefined;
}

/**
 * The context of cdk.json: the feature flags `cdk synth` and `cdk deploy` run with. An
 * app built outside the CDK CLI (a test, the rehearsal) passes it to `new App({ context })`
 * to synthesize what a deploy would.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * Adds the Sparkify stack to an app, from the app's context (`-c serverless=true`, see
 * lib/app-config.ts), with the AWS Solutions checks on every synth. Used by the CDK app
 * (bin/sparkify.ts) and by the offline rehearsal, so both synthesize the same thing.
 * @param env where the stack deploys; undefined for an environment-agnostic stack
 */
export async function addSparkifyStack(app: App, env: Environment | undefined): Promise<SparkifyStack> {
  const config = readAppConfig((key) => app.node.tryGetContext(key));
  const sampleDataDir = config.sampleData ? await ensureDefaultSample() : undefined;
  const stack = new SparkifyStack(app, config.stackName, {
    ...config.props,
    env,
    sampleDataDir,
    description: 'Sparkify data warehouse: Redshift, loaded from S3 on deploy',
  });
  // Every synth (and so every deploy) checks the AWS Solutions rules; the stack acknowledges its findings with reasons.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
