import { SERVERLESS_ASSUMED_SLICES } from '../../src/aws/redshift-capacity';
import { App, Stack, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEDULED_LOAD_CONFIG_VARIABLE, type ScheduledLoadConfig } from '../../src/data-api/scheduled-config';
import { readAppConfig } from '../../lib/app-config';
import { ScheduledLoad } from '../../lib/scheduled-load';
import { cdkJsonContext } from '../../lib/sparkify-app';
import { SparkifyStack } from '../../lib/sparkify-stack';
import { resolveSource } from '../../lib/source';
import { SQL_DIR } from '../../src/sql/sql-files';
import { PROJECT_ROOT } from '../helpers/cli';
import { PUBLIC_DATASET_SOURCE } from '../helpers/fixtures';
import { synth } from '../helpers/stacks';

const SOURCE = { bucket: 'sparkify-raw', region: 'us-east-1' };
const scheduled = synth({ schedule: events.Schedule.expression('rate(1 hour)'), notificationEmail: 'data-team@example.com', source: SOURCE });
const { template } = scheduled;

/** A resource of the template, its properties loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { Properties: Record<string, any>; DependsOn?: string[] };

/** The scheduled function's resource. */
function scheduledFunction(): { logicalId: string; resource: Resource } {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { SPARKIFY_SCHEDULED_LOAD: Match.anyValue() } } },
  });
  const [logicalId] = Object.keys(functions);
  return { logicalId, resource: functions[logicalId] as never };
}

describe('with a schedule', () => {
  it('an EventBridge rule invokes the scheduled loader on it, after the deploy load, with a dead-letter queue', () => {
    const { logicalId } = scheduledFunction();
    const rules = template.findResources('AWS::Events::Rule');
    const [rule] = Object.values(rules) as Resource[];
    expect(Object.keys(rules)).toHaveLength(1);
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ScheduledLoadDeadLetterQueue/), 'Arn'] } },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }),
      }),
    ]);
    const load = Object.keys(template.findResources('Custom::SparkifyLoad'));
    expect(rule.DependsOn).toEqual(expect.arrayContaining(load));
  });

  it('a failed run goes to the dead-letter queue, not retried at once; the queue alarms to a topic with the email subscribed', () => {
    const { logicalId } = scheduledFunction();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId },
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScheduledLoadDeadLetterQueue'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfMessagesSent',
      Namespace: 'AWS/SQS',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^ScheduledLoadAlarmTopic') }],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-team@example.com' });
    template.hasOutput('LoadAlarmTopicArn', {});
    template.hasOutput('LoadDeadLetterQueueUrl', {});
  });

  it('the alarm may publish to its topic: enforceSSL replaces the default topic policy, so it must allow CloudWatch, for this alarm only', () => {
    const [alarm] = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Resource[];
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [alarm, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    // The Deny of enforceSSL stays, and no statement lets anyone else publish.
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toHaveLength(1);
  });

  it('the loader gets its settings (names and ARNs, no secret value) and may run 15 minutes', () => {
    const { resource } = scheduledFunction();
    expect(resource.Properties.Timeout).toBe(900);
    expect(resource.Properties.Runtime).toBe('nodejs24.x');
    const config = JSON.stringify(resource.Properties.Environment.Variables.SPARKIFY_SCHEDULED_LOAD);
    for (const expected of ['sparkify-raw', 'us-east-1', 'song_data', 'log_data', 'log_json_path.json', 'runsBucket', 'MasterPasswordSecretArn']) {
      expect(config).toContain(expected);
    }
    expect(config).not.toMatch(/password"?\s*:/i);
  });

  /** The folder the scheduled function's bundle was written to. */
  function bundleDir(): string {
    // The code's S3 key is <asset hash>.zip; the cloud assembly keeps the bundle in asset.<asset hash>/.
    const hash = String(scheduledFunction().resource.Properties.Code.S3Key).replace(/\.zip$/, '');
    return path.join((scheduled.stack.node.root as App).outdir, `asset.${hash}`);
  }

  it('bundles sql/ beside the handler, so a run builds its statements from the same files', () => {
    const bundle = bundleDir();
    for (const file of ['01_drop.sql', '05_transform.sql', 'scheduled/04_copy_events.sql', 'scheduled/06_record_files.sql', 'scheduled/loaded_files.sql']) {
      expect(readFileSync(path.join(bundle, 'sql', file), 'utf8')).toBe(readFileSync(path.join(SQL_DIR, file), 'utf8'));
    }
    expect(existsSync(path.join(bundle, 'index.js'))).toBe(true);
  });

  it('the bundled handler starts from its settings and the SQL beside it, and refuses a source in another region', async () => {
    // The bundle leaves out @aws-sdk/*, which the Lambda runtime provides: a copy inside the
    // project resolves them from node_modules, as the runtime would from its own.
    const copy = path.join(PROJECT_ROOT, 'node_modules', '.cache', `scheduled-bundle-${process.pid}`);
    cpSync(bundleDir(), copy, { recursive: true });
    const index = path.join(copy, 'index.js');
    const config: ScheduledLoadConfig = {
      target: { database: 'sparkify', workgroupName: 'sparkify', secretArn: 'arn:secret', resourceArn: 'arn:workgroup' },
      source: { ...PUBLIC_DATASET_SOURCE, region: 'us-west-2' },
      runsBucket: 'runs',
      slices: 2,
    };
    const saved = { config: process.env[SCHEDULED_LOAD_CONFIG_VARIABLE], region: process.env.AWS_REGION };
    process.env[SCHEDULED_LOAD_CONFIG_VARIABLE] = JSON.stringify(config);
    process.env.AWS_REGION = 'eu-west-1';
    try {
      // Node's own require: the bundle runs as Lambda would load it, not through the test transform.
      const bundled = createRequire(index)(index) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
      const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => 60_000 };
      await expect(bundled.handler({}, context)).rejects.toThrow(/is in us-west-2, the stack in eu-west-1/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
      for (const [name, value] of [[SCHEDULED_LOAD_CONFIG_VARIABLE, saved.config], ['AWS_REGION', saved.region]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('least privilege: the loader lists and reads the source prefixes and writes only runs/; COPY reads runs/', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const statementsOf = (rolePattern: RegExp) =>
      policies.filter((policy) => rolePattern.test(JSON.stringify(policy.Properties.Roles))).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const loader = statementsOf(/ScheduledLoadRole/);
    expect(loader).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'ReadSourceObjects', Action: 's3:GetObject', Resource: ['arn:aws:s3:::sparkify-raw/log_data*', 'arn:aws:s3:::sparkify-raw/song_data*'] }),
        expect.objectContaining({ Sid: 'ListSourcePrefixes', Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['song_data*', 'log_data*'] } } }),
        expect.objectContaining({ Sid: 'WriteRunLists', Action: 's3:PutObject' }),
        expect.objectContaining({ Sid: 'RunStatementsOnThisWarehouse', Action: 'redshift-data:BatchExecuteStatement' }),
        expect.objectContaining({
          Sid: 'WriteOwnLogsFunction',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ScheduledLoadFunctionLogs/), 'Arn'] }, ':*']] },
        }),
      ]),
    );
    expect(JSON.stringify(loader)).not.toMatch(/"s3:\*"|"s3:Delete|"redshift-data:\*"/);
    expect(JSON.stringify(loader.find((statement) => statement.Sid === 'WriteRunLists')?.Resource)).toContain('/runs/*');
    const copy = statementsOf(/CopyRole/);
    expect(copy).toContainEqual(expect.objectContaining({ Sid: 'ReadRunLists', Action: 's3:GetObject' }));
    expect(copy).toContainEqual(
      expect.objectContaining({ Sid: 'ListRunLists', Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['runs/*'] } } }),
    );
  });

  it('keeps the runs bucket private and encrypted, its lists expiring after 30 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 30, Status: 'Enabled' })] },
      BucketEncryption: Match.anyValue(),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });
});

describe('without a schedule', () => {
  it('has no rule, loader, queue, alarm or topic', () => {
    const { template: plain } = synth();
    for (const type of ['AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::Lambda::EventInvokeConfig']) {
      plain.resourceCountIs(type, 0);
    }
  });

  it('refuses notificationEmail, which only a schedule uses', () => {
    expect(() => synth({ notificationEmail: 'a@example.com' })).toThrow(/notificationEmail .* needs schedule/);
  });
});

describe('schedule settings', () => {
  it('refuse a source bucket in another region than a stack whose region is known', () => {
    const app = new App();
    expect(
      () => new SparkifyStack(app, 'Elsewhere', { env: { region: 'eu-west-1' }, schedule: events.Schedule.expression('rate(1 hour)') }),
    ).toThrow(/schedule needs the source bucket in the stack's region \(eu-west-1\), but it is in us-west-2/);
  });

  it('come from context: -c schedule and -c notificationEmail, checked', () => {
    const config = (values: Record<string, string>) => readAppConfig((key) => values[key]);
    expect(config({ schedule: 'rate(1 hour)' }).props.schedule?.expressionString).toBe('rate(1 hour)');
    expect(config({ schedule: 'cron(0 6 * * ? *)' }).props.schedule?.expressionString).toBe('cron(0 6 * * ? *)');
    expect(config({}).props.schedule).toBeUndefined();
    expect(() => config({ schedule: 'hourly' })).toThrow(/-c schedule= must be an EventBridge schedule .* got "hourly"/);
    expect(config({ schedule: 'rate(15 minutes)' }).props.schedule?.expressionString).toBe('rate(15 minutes)');
    for (const wrong of ['rate(0 hours)', 'rate(1 hours)', 'rate(5 minute)', 'cron(0 6 * *)']) {
      expect(() => config({ schedule: wrong }), wrong).toThrow(/-c schedule=/);
    }
    expect(() => config({ notificationEmail: 'not-an-address' })).toThrow(/-c notificationEmail= must be an email address/);
  });
});

describe("the scheduled loader's view of the cluster's status", () => {
  /** The statements of the policies of the scheduled loader's role in a template. */
  const loaderStatements = (of: Template) =>
    (Object.values(of.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) => /ScheduledLoadRole/.test(JSON.stringify(policy.Properties.Roles)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);

  it('on a cluster, may call redshift:DescribeClusters on that cluster only (the ARN its statements run on)', () => {
    const statements = loaderStatements(template);
    const describe = statements.filter((statement) => JSON.stringify(statement.Action).includes('redshift:DescribeClusters'));
    const run = statements.find((statement) => statement.Sid === 'RunStatementsOnThisWarehouse');
    expect(describe).toEqual([{ Sid: 'ReadClusterStatus', Effect: 'Allow', Action: 'redshift:DescribeClusters', Resource: run?.Resource }]);
    expect(JSON.stringify(run?.Resource)).toContain(':cluster:');
  });

  it('on a Serverless workgroup, may not call it: there is no cluster to ask', () => {
    // The construct alone on a bare stack, nothing bundled: the policy is all this reads.
    const stack = new Stack(new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } }), 'Bare');
    new ScheduledLoad(stack, 'ScheduledLoad', {
      schedule: events.Schedule.expression('rate(1 hour)'),
      target: { database: 'sparkify', workgroupName: 'sparkify', secretArn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:s', resourceArn: 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/w' },
      source: resolveSource(),
      copyRole: new iam.Role(stack, 'CopyRole', { assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com') }),
      slices: SERVERLESS_ASSUMED_SLICES,
    });
    const statements = loaderStatements(Template.fromStack(stack));
    expect(statements.find((statement) => statement.Sid === 'RunStatementsOnThisWarehouse')).toBeDefined();
    expect(JSON.stringify(statements)).not.toContain('redshift:DescribeClusters');
  });
});
