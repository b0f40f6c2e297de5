import {
  Aspects,
  Aws,
  CfnCondition,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
  aws_events as events,
  aws_iam as iam,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
  type StackProps,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildLoadPlan } from '../src/sql/plan';
import { hashSqlFiles, readSqlFiles } from '../src/sql/sql-files';
import { AnalystAccess } from './analyst-access';
import { AuditLogBucket } from './audit-log-bucket';
import { CopyRole } from './copy-role';
import { EtlLoader } from './etl-loader';
import { LogGroupsExpire } from './log-groups';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { Network } from './network';
import { ScheduledLoad } from './scheduled-load';
import { resolveSource, type ResolvedSource, type SourceLocation } from './source';
import { Warehouse, type Ra3NodeType } from './warehouse';

/** Properties of {@link SparkifyStack}. */
export interface SparkifyStackProps extends StackProps {
  /**
   * Where COPY reads the song and log files. Ignored with `sampleDataDir`.
   * @default the public dataset: s3://udacity-dend (us-west-2), song_data, log_data, log_json_path.json
   */
  readonly source?: SourceLocation;
  /**
   * A local folder (song_data/, log_data/, log_json_path.json) to deploy into a private
   * bucket of the stack and load instead of `source`, so a deploy works in any region.
   * @default none: load from `source`
   */
  readonly sampleDataDir?: string;
  /**
   * Use Redshift Serverless instead of a provisioned cluster.
   * @default false
   */
  readonly serverless?: boolean;
  /**
   * Node type of the provisioned cluster.
   * @default 'ra3.large'
   */
  readonly nodeType?: Ra3NodeType;
  /**
   * Nodes of the provisioned cluster.
   * @default 1 (single-node)
   */
  readonly numberOfNodes?: number;
  /**
   * Base capacity of the Serverless workgroup, in RPUs.
   * @default 8
   */
  readonly baseCapacity?: number;
  /**
   * Records each COPY may reject and still load (Redshift's MAXERROR).
   * @default 0
   */
  readonly maxErrors?: number;
  /**
   * Delete the warehouse, its data, the buckets and the logs with the stack. Off, a
   * cluster leaves a final snapshot; a Serverless namespace and its admin secret, the
   * buckets and the log groups (each with its retention) are kept. Either way, what a
   * failed first deploy created is deleted on its rollback.
   * @default false
   */
  readonly destroyOnDelete?: boolean;
  /**
   * How long the deploy-time load may take.
   * @default Duration.hours(1)
   */
  readonly loadTimeout?: Duration;
  /**
   * How often the load's progress is checked.
   * @default Duration.seconds(10)
   */
  readonly loadPollInterval?: Duration;
  /**
   * Load new source files on this schedule too, e.g. `Schedule.expression('rate(1 hour)')`:
   * each run loads only the files `load_manifest` does not hold yet (see
   * {@link ScheduledLoad}). Needs the source bucket in the stack's region.
   * @default none: the warehouse is loaded on deploy only
   */
  readonly schedule?: events.Schedule;
  /**
   * Who may assume the analysts' IAM role, which reads the warehouse as the database role
   * `analysts` (see {@link AnalystAccess}).
   * @default the stack's account: any of its principals whose own policy allows sts:AssumeRole on the role
   */
  readonly analystPrincipals?: readonly iam.IPrincipal[];
  /**
   * With `schedule`: an email address told when a scheduled load fails.
   * @default none: subscribe to the `LoadAlarmTopicArn` output's topic yourself
   */
  readonly notificationEmail?: string;
}

/**
 * The Sparkify warehouse in one stack: private network, the role COPY uses, the
 * Redshift warehouse, and a load on deploy that builds the star schema from S3.
 */
export class SparkifyStack extends Stack {
  constructor(scope: Construct, id: string, props: SparkifyStackProps = {}) {
    super(scope, id, props);
    const destroy = props.destroyOnDelete ?? false;
    // Kept on delete, but not when the deploy that created them rolls back, so a failed
    // first deploy leaves nothing that blocks the next one.
    const keep = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const network = new Network(this, 'Network', { removalPolicy: keep, availabilityZones: props.serverless ? 3 : 2 });

    const { source, deployment } = props.sampleDataDir
      ? this.sampleSource(props.sampleDataDir, keep)
      : { source: resolveSource(props.source), deployment: undefined };
    const copyRole = new CopyRole(this, 'CopyRole', { source, serverless: props.serverless });
    // A cluster writes its audit logs to S3; Serverless exports them to CloudWatch Logs.
    const auditLogs = props.serverless ? undefined : new AuditLogBucket(this, 'AuditLogs', { removalPolicy: keep });
    const warehouse = new Warehouse(this, 'Warehouse', {
      vpc: network.vpc,
      subnets: network.subnets,
      copyRole: copyRole.role,
      auditLogBucket: auditLogs?.bucket,
      serverless: props.serverless,
      nodeType: props.nodeType,
      numberOfNodes: props.numberOfNodes,
      baseCapacity: props.baseCapacity,
      enhancedVpcRouting: this.sameRegion(source.region),
      removalPolicy: destroy ? RemovalPolicy.DESTROY : undefined,
      auditLogRemovalPolicy: keep,
    });

    const files = readSqlFiles();
    const plan = buildLoadPlan(files, { ...source, copyRoleArn: copyRole.role.roleArn, maxErrors: props.maxErrors ?? 0 });
    const loader = new EtlLoader(this, 'Load', {
      target: warehouse.dataApi,
      plan,
      sqlHash: `${hashSqlFiles(files)}:${JSON.stringify(this.resolve(source))}:${props.maxErrors ?? 0}`,
      timeout: props.loadTimeout,
      pollInterval: props.loadPollInterval,
      logRemovalPolicy: keep,
    });
    if (deployment) loader.node.addDependency(deployment);
    const analysts = new AnalystAccess(this, 'Analysts', { target: warehouse.dataApi, principals: props.analystPrincipals });
    new CfnOutput(this, 'AnalystRoleArn', { value: analysts.role.roleArn, description: 'Assume it to read the warehouse as the database role analysts' });
    if (props.schedule) {
      this.checkScheduledSourceRegion(source.region);
      const scheduled = new ScheduledLoad(this, 'ScheduledLoad', {
        schedule: props.schedule,
        target: warehouse.dataApi,
        source,
        copyRole: copyRole.role,
        maxErrors: props.maxErrors,
        notificationEmail: props.notificationEmail,
        removalPolicy: keep,
      });
      // The first scheduled run comes after the deploy's load has built the tables.
      scheduled.rule.node.addDependency(loader.resource);
      new CfnOutput(this, 'LoadAlarmTopicArn', { value: scheduled.alarmTopic.topicArn, description: 'Subscribe to hear of failed scheduled loads' });
      new CfnOutput(this, 'LoadDeadLetterQueueUrl', { value: scheduled.deadLetterQueue.queueUrl, description: 'Failed scheduled loads, with their errors' });
      new CfnOutput(this, 'ScheduledLoadFunctionName', { value: scheduled.function.functionName });
    } else if (props.notificationEmail) {
      throw new Error('notificationEmail is for failed scheduled loads: it needs schedule too');
    }

    new CfnOutput(this, 'Endpoint', { value: warehouse.endpointAddress, description: 'Warehouse endpoint address' });
    new CfnOutput(this, 'Port', { value: String(warehouse.port) });
    new CfnOutput(this, 'Database', { value: warehouse.dataApi.database });
    if (warehouse.dataApi.clusterIdentifier) new CfnOutput(this, 'ClusterIdentifier', { value: warehouse.dataApi.clusterIdentifier });
    new CfnOutput(this, 'AdminSecretArn', {
      value: warehouse.dataApi.secretArn,
      description: 'The admin secret the loads authenticate with (its ARN, not its value)',
    });
    if (warehouse.dataApi.workgroupName) new CfnOutput(this, 'WorkgroupName', { value: warehouse.dataApi.workgroupName });
    new CfnOutput(this, 'CopyRoleArn', { value: copyRole.role.roleArn });
    new CfnOutput(this, 'SourceUri', { value: `s3://${source.bucket}/` });
    Aspects.of(this).add(new LogGroupsExpire({ removalPolicy: keep }));
    acknowledgeNagFindings(this);
    for (const attribute of ['Songplays', 'Users', 'Songs', 'Artists', 'Time', 'MatchedSongplays', 'TotalSeconds']) {
      new CfnOutput(this, `Loaded${attribute}`, { value: loader.resource.getAttString(attribute) });
    }
  }

  /** True when the source bucket is in the stack's region, decided at deploy time when the region is not known at synth. */
  private sameRegion(sourceRegion: string): boolean | ReturnType<typeof Fn.conditionIf> {
    if (!Token.isUnresolved(sourceRegion) && !Token.isUnresolved(this.region)) return sourceRegion === this.region;
    if (sourceRegion === Aws.REGION) return true;
    const condition = new CfnCondition(this, 'SourceInStackRegion', { expression: Fn.conditionEquals(Aws.REGION, sourceRegion) });
    return Fn.conditionIf(condition.logicalId, true, false);
  }

  /**
   * COPY with REGION reads a manifest and the files it lists in that one region, and the
   * runs' manifests are in the stack's bucket: a schedule needs the source in the stack's
   * region. Decided here when both regions are known; otherwise the scheduled function
   * checks it on each run.
   */
  private checkScheduledSourceRegion(sourceRegion: string): void {
    if (Token.isUnresolved(sourceRegion) || Token.isUnresolved(this.region) || sourceRegion === this.region) return;
    throw new Error(
      `schedule needs the source bucket in the stack's region (${this.region}), but it is in ${sourceRegion}: ` +
        'copy the files to a bucket in this region (or deploy the stack in the source region), or use sampleData',
    );
  }

  /** A private bucket of the stack holding the sample folder, and the deployment filling it. */
  private sampleSource(dir: string, removalPolicy: RemovalPolicy): { source: ResolvedSource; deployment: Construct } {
    const bucket = new s3.Bucket(this, 'SampleData', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    const deployment = new s3deploy.BucketDeployment(this, 'SampleDataDeployment', {
      sources: [s3deploy.Source.asset(dir)],
      destinationBucket: bucket,
      prune: false,
      logGroup: new logs.LogGroup(this, 'SampleDataDeploymentLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy }),
    });
    return {
      source: resolveSource({ bucket: bucket.bucketName, region: Aws.REGION }),
      deployment,
    };
  }
}
