import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { WarehouseAddress } from '../data-api/target';
import { analystAccessOf } from '../aws/stack-outputs';
import { parseScheduledLoadConfig, SCHEDULED_LOAD_CONFIG_VARIABLE } from '../data-api/scheduled-config';
import { asCustomResourceProperties, IntrinsicError, roleNameOfArn, TemplateResolver, type CfnResource } from './intrinsics';

/**
 * What a deploy of the synthesized template would run, read from the template alone:
 * the load custom resource and its resolved properties, the Lambda functions the
 * Provider framework calls (found through the framework's own environment variables and
 * its waiter state machine, not by name), the waiter's retry policy, the scheduled
 * function behind the EventBridge rule, the warehouse's admin identity, the buckets, the
 * IAM roles' Redshift database roles (their `RedshiftDbRoles` tags), and the analysts'
 * role and warehouse as the stack's outputs name them.
 */

/** The tag whose colon-separated value lists the database roles Redshift grants an IAM identity when it signs in. */
export const DATABASE_ROLES_TAG = 'RedshiftDbRoles';

/** The resource type of the deploy's load. */
export const LOAD_RESOURCE_TYPE = 'Custom::SparkifyLoad';

/** A Lambda function of the template, with everything needed to run its bundle locally. */
export interface LambdaFunctionSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** `index.onEvent`: file (without extension) and export. */
  readonly handler: string;
  /** The bundle's folder in the cloud assembly (from the resource's `aws:asset:path` metadata). */
  readonly assetDir: string;
  /** Environment.Variables, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly runtime: string;
  readonly roleArn: string;
  /** The role's name: the caller's Redshift identity is `IAMR:<role name>`. */
  readonly roleName: string;
  readonly logGroupName: string;
}

/** How the Provider's waiter state machine retries the isComplete task (Step Functions Retry). */
export interface WaiterRetry {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds?: number;
}

/** The load custom resource and the functions that serve it. */
export interface LoadResourcePlan {
  readonly logicalId: string;
  readonly resourceType: string;
  /** Properties as CloudFormation sends them (ResourceProperties): resolved, scalars as strings. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** CloudFormation's own limit on one request of the resource. */
  readonly serviceTimeoutSeconds: number;
  /** The framework's onEvent function the ServiceToken names (not run: its logic is reproduced). */
  readonly frameworkFunction: string;
  readonly onEvent: LambdaFunctionSpec;
  /** The user isComplete function and the waiter's retry policy, when the Provider has one. */
  readonly isComplete?: LambdaFunctionSpec;
  readonly waiter?: WaiterRetry;
}

/** The scheduled load: the rule, its target function and how failed invocations are retried. */
export interface ScheduledPlan {
  readonly ruleLogicalId: string;
  readonly scheduleExpression: string;
  readonly function: LambdaFunctionSpec;
  /** Retries of a failed asynchronous invocation (the function's EventInvokeConfig; Lambda's default 2). */
  readonly asyncRetryAttempts: number;
}

/** How the Data API reaches the warehouse, from the warehouse resource. */
export interface WarehousePlan {
  readonly kind: 'cluster' | 'serverless';
  readonly logicalId: string;
  readonly adminUser: string;
  /** The admin secret's ARN: Redshift-managed, or the secret the admin password is a dynamic reference to. */
  readonly adminSecretArn?: string;
}

/** An IAM role of the template. */
export interface IamRolePlan {
  readonly logicalId: string;
  readonly arn: string;
  /** Its name: its IAM identity's database user is `IAMR:<role name>`. */
  readonly roleName: string;
  /** The database roles its `RedshiftDbRoles` tag lists, in order (none when untagged). */
  readonly databaseRoles: readonly string[];
}

/**
 * The role people assume to read the warehouse, and where they read it, from the stack's
 * outputs (`AnalystRoleArn`, `Database`, and `WorkgroupName` or `ClusterIdentifier`), as
 * an analyst would find them. No secret: the role signs in with its IAM identity.
 */
export interface AnalystsPlan {
  readonly roleArn: string;
  readonly roleName: string;
  readonly target: WarehouseAddress;
}

/** Everything the rehearsal runs, read from one template. */
export interface StackPlan {
  readonly stackName: string;
  readonly load: LoadResourcePlan;
  readonly scheduled?: ScheduledPlan;
  readonly warehouse: WarehousePlan;
  /** Buckets the load's COPY statements read. */
  readonly sourceBuckets: readonly string[];
  /** The staging bucket the deploy's load compacts the song and event files into, if it does. */
  readonly stagingBucket?: string;
  /** The scheduled loads' runs bucket. */
  readonly runsBucket?: string;
  /** The sample bucket's folder in the cloud assembly (what the BucketDeployment uploads), with sampleData. */
  readonly sampleDataAsset?: { readonly bucket: string; readonly dir: string };
  /** Every IAM role of the template, with the database roles its tag lists. */
  readonly iamRoles: readonly IamRolePlan[];
  /** The analysts' role and warehouse, when the stack outputs them. */
  readonly analysts?: AnalystsPlan;
}

/** Reads the plan of a synthesized stack. @throws IntrinsicError or Error naming what is missing */
export function readStackPlan(resolver: TemplateResolver, outdir: string): StackPlan {
  const functions = lambdaFunctions(resolver, outdir);
  const byArn = (arn: string, what: string) => {
    const found = functions.get(arn);
    if (!found) throw new Error(`${what} names ${arn}, which is no Lambda function of the template`);
    return found;
  };

  const loads = resolver.resourcesOfType(LOAD_RESOURCE_TYPE);
  if (loads.length !== 1) throw new Error(`The template has ${loads.length} ${LOAD_RESOURCE_TYPE} resources; the rehearsal needs exactly one`);
  const [loadId, loadResource] = loads[0];
  const properties = asCustomResourceProperties(resolver.resolve(loadResource.Properties ?? {}, `Resources.${loadId}.Properties`)) as Record<string, unknown>;
  const serviceToken = String(properties.ServiceToken);
  const framework = byArn(serviceToken, `${loadId}'s ServiceToken`);
  if (framework.spec.handler !== 'framework.onEvent' || !existsSync(path.join(framework.spec.assetDir, 'framework.js'))) {
    throw new Error(`${loadId}'s ServiceToken is ${framework.logicalId} (${framework.spec.handler}), not the CDK Provider framework's onEvent`);
  }
  const userOnEvent = framework.spec.environment.USER_ON_EVENT_FUNCTION_ARN;
  if (!userOnEvent) throw new Error(`The Provider framework function ${framework.logicalId} has no USER_ON_EVENT_FUNCTION_ARN`);
  const onEvent = byArn(userOnEvent, `${framework.logicalId}'s USER_ON_EVENT_FUNCTION_ARN`).spec;

  let isComplete: LambdaFunctionSpec | undefined;
  let waiter: WaiterRetry | undefined;
  if (framework.spec.environment.USER_IS_COMPLETE_FUNCTION_ARN) {
    const machineArn = framework.spec.environment.WAITER_STATE_MACHINE_ARN;
    if (!machineArn) throw new Error(`${framework.logicalId} has an isComplete function but no WAITER_STATE_MACHINE_ARN`);
    const read = readWaiter(resolver, machineArn);
    waiter = read.retry;
    const task = byArn(read.taskFunctionArn, `The waiter state machine's isComplete task`);
    const userIsComplete = task.spec.environment.USER_IS_COMPLETE_FUNCTION_ARN;
    if (userIsComplete !== framework.spec.environment.USER_IS_COMPLETE_FUNCTION_ARN) {
      throw new Error(
        `The waiter's task ${task.logicalId} calls ${userIsComplete}, but ${framework.logicalId} names ${framework.spec.environment.USER_IS_COMPLETE_FUNCTION_ARN}`,
      );
    }
    isComplete = byArn(userIsComplete, `${task.logicalId}'s USER_IS_COMPLETE_FUNCTION_ARN`).spec;
  }

  const scheduled = readScheduled(resolver, functions);
  return {
    stackName: resolver.identity.stackName,
    load: {
      logicalId: loadId,
      resourceType: loadResource.Type,
      properties,
      serviceTimeoutSeconds: properties.ServiceTimeout === undefined ? 3600 : Number(properties.ServiceTimeout),
      frameworkFunction: framework.spec.functionName,
      onEvent,
      isComplete,
      waiter,
    },
    scheduled,
    warehouse: readWarehouse(resolver),
    sourceBuckets: sourceBucketsOf(properties),
    stagingBucket: stagingBucketOf(properties),
    runsBucket: readRunsBucket(scheduled),
    sampleDataAsset: readSampleDataAsset(resolver, outdir),
    iamRoles: readIamRoles(resolver),
    analysts: readAnalysts(resolver),
  };
}

/** Every IAM role of the template: its resolved ARN and name, and the database roles its `RedshiftDbRoles` tag lists. */
export function readIamRoles(resolver: TemplateResolver): IamRolePlan[] {
  return resolver.resourcesOfType('AWS::IAM::Role').map(([logicalId, resource]) => {
    const at = `Resources.${logicalId}`;
    const arn = resolver.getAtt(logicalId, 'Arn', at);
    const tags = (resolver.resolve(resource.Properties?.Tags ?? [], `${at}.Properties.Tags`) ?? []) as { Key?: unknown; Value?: unknown }[];
    const tag = tags.find((item) => item.Key === DATABASE_ROLES_TAG);
    return { logicalId, arn, roleName: roleNameOfArn(arn), databaseRoles: tag ? parseDatabaseRoles(String(tag.Value ?? '')) : [] };
  });
}

/** The database roles a `RedshiftDbRoles` tag's value lists: names separated by colons. */
export function parseDatabaseRoles(value: string): string[] {
  return value
    .split(':')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** The analysts' role and warehouse from the stack's outputs, or undefined when it has no `AnalystRoleArn` output. */
export function readAnalysts(resolver: TemplateResolver): AnalystsPlan | undefined {
  const outputs = resolver.template.Outputs ?? {};
  const output = (name: string): string | undefined => {
    const found = Object.hasOwn(outputs, name) ? outputs[name] : undefined;
    if (!found || (found.Condition !== undefined && !resolver.condition(found.Condition, `Outputs.${name}.Condition`))) return undefined;
    return resolver.resolveString(found.Value, `Outputs.${name}.Value`);
  };
  if (output('AnalystRoleArn') === undefined) return undefined;
  const keys = ['AnalystRoleArn', 'Database', 'WorkgroupName', 'ClusterIdentifier'];
  try {
    const { roleArn, target } = analystAccessOf(Object.fromEntries(keys.map((key) => [key, output(key)])), resolver.identity.stackName);
    return { roleArn, roleName: roleNameOfArn(roleArn), target };
  } catch (error) {
    throw new IntrinsicError(`Outputs: ${(error as Error).message}`);
  }
}

/** Every Lambda function of the template by its resolved ARN. */
function lambdaFunctions(resolver: TemplateResolver, outdir: string): Map<string, { logicalId: string; spec: LambdaFunctionSpec }> {
  const found = new Map<string, { logicalId: string; spec: LambdaFunctionSpec }>();
  for (const [logicalId, resource] of resolver.resourcesOfType('AWS::Lambda::Function')) {
    const arn = resolver.getAtt(logicalId, 'Arn', `Resources.${logicalId}`);
    found.set(arn, { logicalId, spec: functionSpec(resolver, outdir, logicalId, resource) });
  }
  return found;
}

function functionSpec(resolver: TemplateResolver, outdir: string, logicalId: string, resource: CfnResource): LambdaFunctionSpec {
  const at = `Resources.${logicalId}.Properties`;
  const props = resource.Properties ?? {};
  const assetPath = resource.Metadata?.['aws:asset:path'];
  const variables = (resolver.resolve((props.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}, `${at}.Environment.Variables`) ??
    {}) as Record<string, unknown>;
  const roleArn = resolver.resolveString(props.Role, `${at}.Role`);
  const functionName = resolver.physicalId(logicalId, at);
  const logGroup = (props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
  return {
    logicalId,
    functionName,
    arn: resolver.getAtt(logicalId, 'Arn', at),
    handler: String(props.Handler ?? ''),
    // A function without asset metadata (inline code) cannot be run here; the rehearsal never needs one.
    assetDir: typeof assetPath === 'string' ? path.resolve(outdir, assetPath) : '',
    environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)])),
    timeoutSeconds: props.Timeout === undefined ? 3 : Number(resolver.resolve(props.Timeout, `${at}.Timeout`)),
    memoryMb: props.MemorySize === undefined ? 128 : Number(resolver.resolve(props.MemorySize, `${at}.MemorySize`)),
    runtime: String(props.Runtime ?? ''),
    roleArn,
    roleName: roleNameOfArn(roleArn),
    logGroupName: logGroup === undefined ? `/aws/lambda/${functionName}` : resolver.resolveString(logGroup, `${at}.LoggingConfig.LogGroup`),
  };
}

/** The isComplete task's function and its Retry, from the waiter state machine's definition. */
function readWaiter(resolver: TemplateResolver, machineArn: string): { taskFunctionArn: string; retry: WaiterRetry } {
  const machine = resolver
    .resourcesOfType('AWS::StepFunctions::StateMachine')
    .find(([logicalId]) => resolver.ref(logicalId, `Resources.${logicalId}`) === machineArn);
  if (!machine) throw new Error(`WAITER_STATE_MACHINE_ARN names ${machineArn}, which is no state machine of the template`);
  const [logicalId, resource] = machine;
  const at = `Resources.${logicalId}.Properties`;
  const props = resource.Properties ?? {};
  const definition = (
    props.DefinitionString !== undefined
      ? JSON.parse(resolver.resolveString(props.DefinitionString, `${at}.DefinitionString`))
      : resolver.resolve(props.Definition, `${at}.Definition`)
  ) as { StartAt: string; States: Record<string, { Type: string; Resource?: string; Retry?: Record<string, unknown>[] }> };
  const task = definition.States[definition.StartAt];
  if (task?.Type !== 'Task' || !task.Resource) throw new Error(`${logicalId}: the waiter's first state ${definition.StartAt} is not a Lambda task`);
  const retry = task.Retry?.find((rule) => (rule.ErrorEquals as string[] | undefined)?.includes('States.ALL'));
  // Step Functions' defaults for a Retrier that leaves them out; no Retrier, no retries.
  return {
    taskFunctionArn: task.Resource,
    retry: {
      intervalSeconds: Number(retry?.IntervalSeconds ?? 1),
      maxAttempts: retry ? Number(retry.MaxAttempts ?? 3) : 0,
      backoffRate: Number(retry?.BackoffRate ?? 2),
      maxDelaySeconds: retry?.MaxDelaySeconds === undefined ? undefined : Number(retry.MaxDelaySeconds),
    },
  };
}

function readScheduled(resolver: TemplateResolver, functions: Map<string, { logicalId: string; spec: LambdaFunctionSpec }>): ScheduledPlan | undefined {
  const rules = resolver.resourcesOfType('AWS::Events::Rule').filter(([, rule]) => rule.Properties?.ScheduleExpression !== undefined);
  if (rules.length === 0) return undefined;
  if (rules.length > 1) throw new Error(`The template has ${rules.length} scheduled rules; the rehearsal runs one`);
  const [ruleId, rule] = rules[0];
  const targets = (resolver.resolve(rule.Properties?.Targets ?? [], `Resources.${ruleId}.Properties.Targets`) ?? []) as { Arn: string }[];
  const target = targets.map((item) => functions.get(item.Arn)).find((item) => item !== undefined);
  if (!target) throw new Error(`The scheduled rule ${ruleId} has no Lambda function target`);
  const config = resolver
    .resourcesOfType('AWS::Lambda::EventInvokeConfig')
    .map(([id, resource]) => resolver.resolve(resource.Properties, `Resources.${id}.Properties`) as { FunctionName: string; MaximumRetryAttempts?: unknown })
    .find((item) => item.FunctionName === target.spec.functionName || item.FunctionName === target.spec.arn);
  return {
    ruleLogicalId: ruleId,
    scheduleExpression: resolver.resolveString(rule.Properties?.ScheduleExpression, `Resources.${ruleId}.Properties.ScheduleExpression`),
    function: target.spec,
    asyncRetryAttempts: config?.MaximumRetryAttempts === undefined ? 2 : Number(config.MaximumRetryAttempts),
  };
}

function readWarehouse(resolver: TemplateResolver): WarehousePlan {
  /** The secret a `{{resolve:secretsmanager:<arn>:SecretString:...}}` password names. */
  const referencedSecret = (password: unknown, at: string) => {
    if (password === undefined) return undefined;
    return /^\{\{resolve:secretsmanager:(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+):SecretString:/.exec(resolver.resolveString(password, at))?.[1];
  };
  const [cluster] = resolver.resourcesOfType('AWS::Redshift::Cluster');
  if (cluster) {
    const [logicalId, resource] = cluster;
    const at = `Resources.${logicalId}`;
    const props = resource.Properties ?? {};
    return {
      kind: 'cluster',
      logicalId,
      adminUser: resolver.resolveString(props.MasterUsername, `${at}.Properties.MasterUsername`),
      adminSecretArn: resolver.resolve(props.ManageMasterPassword, `${at}.Properties.ManageMasterPassword`)
        ? resolver.getAtt(logicalId, 'MasterPasswordSecretArn', at)
        : referencedSecret(props.MasterUserPassword, `${at}.Properties.MasterUserPassword`),
    };
  }
  const [namespace] = resolver.resourcesOfType('AWS::RedshiftServerless::Namespace');
  if (namespace) {
    const [logicalId, resource] = namespace;
    const at = `Resources.${logicalId}`;
    const props = resource.Properties ?? {};
    return {
      kind: 'serverless',
      logicalId,
      adminUser: props.AdminUsername === undefined ? 'admin' : resolver.resolveString(props.AdminUsername, `${at}.Properties.AdminUsername`),
      adminSecretArn: resolver.resolve(props.ManageAdminPassword, `${at}.Properties.ManageAdminPassword`)
        ? resolver.getAtt(logicalId, 'Namespace.AdminPasswordSecretArn', at)
        : referencedSecret(props.AdminUserPassword, `${at}.Properties.AdminUserPassword`),
    };
  }
  throw new Error('The template has neither a Redshift cluster nor a Redshift Serverless namespace');
}

/** The buckets the load's COPY statements read (`FROM 's3://<bucket>/...'`, and their JSONPaths). */
function copiedBuckets(statements: unknown): string[] {
  const buckets = new Set<string>();
  for (const statement of Array.isArray(statements) ? statements : []) {
    if (typeof statement !== 'string' || !/^\s*COPY\b/i.test(statement)) continue;
    for (const match of statement.matchAll(/'s3:\/\/([^/']+)\//g)) buckets.add(match[1]);
  }
  return [...buckets];
}

/** The buckets the load reads: what its COPYs read but the staging bucket, and what onEvent compacts from. */
function sourceBucketsOf(properties: Readonly<Record<string, unknown>>): string[] {
  const compacted = (properties.Compaction as { SourceBucket?: unknown } | undefined)?.SourceBucket;
  const copied = copiedBuckets(properties.Statements).filter((bucket) => bucket !== stagingBucketOf(properties));
  return [...new Set([...copied, ...(typeof compacted === 'string' ? [compacted] : [])])];
}

/** The bucket the deploy's onEvent compacts the song and event files into (its `Compaction` property). */
function stagingBucketOf(properties: Readonly<Record<string, unknown>>): string | undefined {
  const bucket = (properties.Compaction as { StagingBucket?: unknown } | undefined)?.StagingBucket;
  return typeof bucket === 'string' ? bucket : undefined;
}

/** The scheduled loads' runs bucket: what the scheduled function's settings name as `runsBucket`. */
function readRunsBucket(scheduled: ScheduledPlan | undefined): string | undefined {
  if (!scheduled) return undefined;
  return parseScheduledLoadConfig(scheduled.function.environment[SCHEDULED_LOAD_CONFIG_VARIABLE]).runsBucket;
}

/** The folder a BucketDeployment uploads (its asset in the cloud assembly) and the bucket it fills. */
function readSampleDataAsset(resolver: TemplateResolver, outdir: string): { bucket: string; dir: string } | undefined {
  const [deployment] = resolver.resourcesOfType('Custom::CDKBucketDeployment');
  if (!deployment) return undefined;
  const [logicalId, resource] = deployment;
  const at = `Resources.${logicalId}.Properties`;
  const keys = resolver.resolve(resource.Properties?.SourceObjectKeys, `${at}.SourceObjectKeys`) as string[];
  const bucket = resolver.resolveString(resource.Properties?.DestinationBucketName, `${at}.DestinationBucketName`);
  const manifests = readdirJson(outdir, '.assets.json') as { files?: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }> }[];
  for (const manifest of manifests) {
    for (const file of Object.values(manifest.files ?? {})) {
      if (Object.values(file.destinations).some((destination) => destination.objectKey === keys?.[0])) {
        return { bucket, dir: path.resolve(outdir, file.source.path) };
      }
    }
  }
  throw new IntrinsicError(`${at}.SourceObjectKeys: no asset of the cloud assembly is ${keys?.[0]}`);
}

function readdirJson(dir: string, suffix: string): unknown[] {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, { type: string; properties?: { file?: string } }> };
  return Object.values(manifest.artifacts ?? {})
    .filter((artifact) => artifact.type === 'cdk:asset-manifest' && artifact.properties?.file?.endsWith(suffix))
    .map((artifact) => JSON.parse(readFileSync(path.join(dir, artifact.properties?.file as string), 'utf8')));
}
