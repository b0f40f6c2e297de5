import {
  Duration,
  RemovalPolicy,
  Stack,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as actions,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda_destinations as destinations,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket';
import { SCHEDULED_LOAD_CONFIG_VARIABLE, type ScheduledLoadConfig } from '../src/data-api/scheduled-config';
import { grantDataApiAccess } from './data-api-access';
import { loaderFunction } from './loader-function';
import { acknowledge, acknowledgeWildcards } from './nag';
import { grantSourceRead, type ResolvedSource } from './source';
import type { WarehouseTarget } from '../src/data-api/target';

/** Properties of {@link ScheduledLoad}. */
export interface ScheduledLoadProps {
  /** When a load runs, e.g. `Schedule.expression('rate(1 hour)')`. */
  readonly schedule: events.Schedule;
  /** How the loader reaches the warehouse. */
  readonly target: WarehouseTarget;
  /** The source files. Their bucket must be in the stack's region (COPY reads a manifest and its files in one region). */
  readonly source: ResolvedSource;
  /** The role Redshift assumes for COPY: it is given read access to the runs' lists. */
  readonly copyRole: iam.IRole;
  /** The warehouse's slices (src/aws/redshift-capacity.ts): each run compacts its new files into a multiple of them. */
  readonly slices: number;
  /**
   * Records each COPY may reject (Redshift's MAXERROR).
   * @default 0
   */
  readonly maxErrors?: number;
  /**
   * An email address subscribed to the failure alarm's topic (the address must confirm).
   * @default none: subscribe to the `alarmTopic` yourself
   */
  readonly notificationEmail?: string;
  /**
   * What deleting the stack does to the bucket of the runs' lists and the function's logs.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Loads new source files on a schedule: an EventBridge rule invokes a Lambda that lists
 * the source prefixes, compares them with `load_manifest`, writes a COPY manifest of the
 * new files and runs the incremental load (sql/ with sql/scheduled/) and the recording
 * of its files as one Data API batch, one transaction. A failed run lands in a
 * dead-letter queue, whose alarm notifies an SNS topic.
 */
export class ScheduledLoad extends Construct {
  /** The function that runs each load. */
  readonly function: NodejsFunction;
  /** The rule that invokes it. */
  readonly rule: events.Rule;
  /** Failed runs (the function's error) and invocations that could not be delivered. */
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm for five minutes after each message the dead-letter queue receives. */
  readonly alarm: cloudwatch.Alarm;
  /** Where the alarm notifies: subscribe to it to hear of failed loads. */
  readonly alarmTopic: sns.Topic;
  /** Each run's file list and COPY manifests, under `runs/<request id>/`, kept 30 days. */
  readonly runsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ScheduledLoadProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.runsBucket = new s3.Bucket(this, 'Runs', {
      ...privateBucketProps(removalPolicy),
      lifecycleRules: [{ prefix: 'runs/', expiration: Duration.days(30) }],
    });
    // COPY lists the bucket for the run's file list (a key prefix) and reads it and the manifests.
    props.copyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadRunLists', actions: ['s3:GetObject'], resources: [this.runsBucket.arnForObjects('runs/*')] }),
    );
    props.copyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunLists',
        actions: ['s3:ListBucket'],
        resources: [this.runsBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['runs/*'] } },
      }),
    );

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the scheduled Sparkify loads: lists and reads the source files, writes COPY manifests, runs the Data API',
    });
    grantDataApiAccess(role, props.target);
    if (props.target.clusterIdentifier) {
      // A run asks the cluster's status first, to skip a paused one. DescribeClusters takes
      // the cluster resource type (Service Authorization Reference), so: this cluster only.
      role.addToPolicy(
        new iam.PolicyStatement({ sid: 'ReadClusterStatus', actions: ['redshift:DescribeClusters'], resources: [props.target.resourceArn] }),
      );
    }
    grantSourceRead(role, props.source);
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'WriteRunLists', actions: ['s3:PutObject'], resources: [this.runsBucket.arnForObjects('runs/*')] }),
    );
    acknowledgeWildcards(
      role,
      'A scheduled run reads every object under the source prefixes (to hash the new ones) and writes its lists under runs/ of its bucket: the wildcards end ' +
        'those prefixes, with s3:GetObject and s3:PutObject only. redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no ' +
        'resource-level permissions (the Data API only shows a caller its own statements), nor has xray:PutTraceSegments; the log-group wildcard is the ' +
        "streams of the function's own log group.",
    );
    acknowledge(
      this.runsBucket,
      'AwsSolutions-S1',
      'Holds only the lists of file keys and hashes each scheduled run writes for COPY, read by the COPY role and expired after 30 days; no personal data.',
    );

    const config: ScheduledLoadConfig = {
      target: props.target,
      source: { ...props.source, copyRoleArn: props.copyRole.roleArn, maxErrors: props.maxErrors ?? 0 },
      runsBucket: this.runsBucket.bucketName,
      slices: props.slices,
    };
    this.function = loaderFunction(this, 'Function', {
      handler: 'scheduled-handler.handler',
      role,
      timeout: Duration.minutes(15),
      bundleSql: true,
      logRemovalPolicy: removalPolicy,
      environment: { [SCHEDULED_LOAD_CONFIG_VARIABLE]: Stack.of(this).toJsonString(config) },
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "This queue is the dead-letter queue (the scheduled function's on-failure destination and its rule target's DLQ); cdk-nag only recognises " +
        "a queue named in another queue's redrive policy as one.",
    );
    // A failed run is not retried at once: the next scheduled run is the retry.
    this.function.configureAsyncInvoke({
      retryAttempts: 0,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    this.rule = new events.Rule(this, 'Rule', {
      schedule: props.schedule,
      description: 'Loads the Sparkify source files that arrived since the last load',
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue })],
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Sparkify scheduled load failures', enforceSSL: true });
    if (props.notificationEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    this.alarm = new cloudwatch.Alarm(this, 'FailedLoads', {
      alarmDescription:
        'A scheduled Sparkify load failed, or could not be invoked: the dead-letter queue holds the event and, for a failed run, its error.',
      // Messages sent, not messages waiting: each new failure raises the alarm again, even
      // while older failures still wait in the queue.
      metric: this.deadLetterQueue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    // enforceSSL gives the topic a policy, which replaces its default one: without this
    // statement the policy holds only a Deny, and the alarm could never publish.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmPublishes',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.alarm.alarmArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
