import { App } from 'aws-cdk-lib';
import { addSparkifyStack, defaultEnvironment } from '../lib/sparkify-app';

/**
 * The CDK app. Settings come from context (`cdk deploy -c serverless=true`, see
 * lib/app-config.ts); the stack deploys to the account and region the CDK CLI found
 * (CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION), or is environment-agnostic without them.
 */
async function main(): Promise<void> {
  const app = new App();
  await addSparkifyStack(app, defaultEnvironment());
  app.synth();
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
