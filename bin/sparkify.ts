import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ensureDefaultSample } from '../src/generate/sample';
import { readAppConfig } from '../lib/app-config';
import { SparkifyStack } from '../lib/sparkify-stack';

/**
 * The CDK app. Settings come from context (`cdk deploy -c serverless=true`, see
 * lib/app-config.ts); the stack is environment-agnostic unless CDK_DEFAULT_ACCOUNT and
 * CDK_DEFAULT_REGION say where, so `cdk synth` needs no credentials.
 */
async function main(): Promise<void> {
  const app = new App();
  const config = readAppConfig((key) => app.node.tryGetContext(key));
  const sampleDataDir = config.sampleData ? await ensureDefaultSample() : undefined;
  new SparkifyStack(app, config.stackName, {
    ...config.props,
    sampleDataDir,
    description: 'Sparkify data warehouse: Redshift, loaded from S3 on deploy',
  });
  // Every synth (and so every deploy) checks the AWS Solutions rules; the stack acknowledges its findings with reasons.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
