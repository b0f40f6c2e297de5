import { Duration, RemovalPolicy, aws_iam as iam, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { NodejsFunction, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SQL_DIR } from '../src/sql/sql-files';

/** Properties of {@link loaderFunction}. */
export interface LoaderFunctionProps {
  /** The handler to run: a file of `lambda/` and its export. */
  readonly handler: 'etl-handler.onEvent' | 'etl-handler.isComplete' | 'scheduled-handler.handler';
  /** The role the function runs as. */
  readonly role: iam.IRole;
  /**
   * How long one invocation may run.
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Environment variables (names and ARNs only: never a secret's value).
   * @default none
   */
  readonly environment?: Record<string, string>;
  /**
   * Ship the project's `sql/` folder in the bundle, beside the handler, for a handler
   * that builds its statements at run time.
   * @default false
   */
  readonly bundleSql?: boolean;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the function's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The one place the project's Lambda functions are built: Node.js 24 on ARM, bundled by
 * esbuild (no Docker) with the project's pinned AWS SDK rather than the runtime's (the
 * code runs with the SDK version its tests and the rehearsal ran), source maps that
 * stack traces use, an explicit log group with retention that the role may write to,
 * X-Ray tracing.
 */
export function loaderFunction(scope: Construct, id: string, props: LoaderFunctionProps): NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  const [file, handler] = props.handler.split('.');
  // The role has no managed policy: it may write to this function's own log group only.
  props.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: `WriteOwnLogs${id}`,
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`${logGroup.logGroupArn}:*`],
    }),
  );
  return new NodejsFunction(scope, id, {
    entry: handlerEntry(file),
    handler,
    // Bundled from this package, wherever the caller's working directory is: NodejsFunction
    // would otherwise look for a lock file from the cwd up, and its projectRoot must hold the
    // entry. The file only tells it the package manager (npm) when, as here, nothing is installed.
    projectRoot: PACKAGE_ROOT,
    depsLockFilePath: path.join(PACKAGE_ROOT, 'package.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    role: props.role,
    timeout: props.timeout ?? Duration.minutes(1),
    memorySize: 256,
    logGroup,
    tracing: lambda.Tracing.ACTIVE,
    // Without --enable-source-maps, Node prints the minified bundle's positions.
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: {
      minify: true,
      sourceMap: true,
      bundleAwsSDK: true,
      target: 'node24',
      ...(props.bundleSql ? { commandHooks: copySqlAfterBundling } : {}),
    },
  });
}

/**
 * The folder holding this package's package.json: the repository, or the installed package
 * when another project uses the built one (lib/ is then dist/lib/).
 */
const PACKAGE_ROOT = (function packageRoot(dir: string): string {
  if (existsSync(path.join(dir, 'package.json'))) return dir;
  if (path.dirname(dir) === dir) throw new Error(`No package.json above ${__dirname}`);
  return packageRoot(path.dirname(dir));
})(__dirname);

/** A handler's source beside lib/: lambda/<file>.ts in the repository, the compiled lambda/<file>.js in the built package. */
function handlerEntry(file: string): string {
  const candidates = ['.ts', '.js'].map((extension) => path.join(__dirname, '..', 'lambda', `${file}${extension}`));
  const entry = candidates.find((candidate) => existsSync(candidate));
  if (!entry) throw new Error(`No handler source at ${candidates.join(' or ')}`);
  return entry;
}

/** Copies this package's sql/ (numbered files, sql/scheduled/, JSONPaths) into the bundle; runs locally, with no Docker. */
const copySqlAfterBundling: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir: string, outputDir: string) => [`cp -R "${SQL_DIR}" "${path.join(outputDir, 'sql')}"`],
};
