import { Duration, RemovalPolicy, aws_iam as iam, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import * as path from 'node:path';

/** Properties of {@link loaderFunction}. */
export interface LoaderFunctionProps {
  /** The exported handler of `lambda/etl-handler.ts` to run. */
  readonly handler: 'onEvent' | 'isComplete';
  /** The role the function runs as. */
  readonly role: iam.IRole;
  /**
   * How long one invocation may run.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The one place the project's Lambda functions are built: Node.js 24 on ARM, bundled by
 * esbuild (no Docker), an explicit log group with retention, X-Ray tracing.
 */
export function loaderFunction(scope: Construct, id: string, props: LoaderFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new NodejsFunction(scope, id, {
    entry: path.join(__dirname, '..', 'lambda', 'etl-handler.ts'),
    handler: props.handler,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    role: props.role,
    timeout: props.timeout ?? Duration.minutes(1),
    memorySize: 256,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    bundling: { minify: true, sourceMap: true, target: 'node24' },
  });
}
