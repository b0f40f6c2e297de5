import {
  Aspects,
  Aws,
  CfnCondition,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Token,
  aws_ec2 as ec2,
  aws_events as events,
  aws_iam as iam,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket';
import { DEPLOY_EVENT_MANIFEST_KEY, DEPLOY_JSONPATHS_KEY, DEPLOY_SONG_MANIFEST_KEY, readDeploySql } from '../src/compaction/deploy-compaction';
import { buildLoadPlan, s3Uri } from '../src/sql/plan';
import { hashSqlFiles } from '../src/sql/sql-files';
import { AnalystAccess } from './analyst-access';
import { AnalystBastion } from './analyst-bastion';
import { AuditLogBucket } from './audit-log-bucket';
import { CopyRole } from './copy-role';
import { grantDataApiAccess } from './data-api-access';
import { EtlLoader, LOAD_RESULTS, type LoadResult } from './etl-loader';
import { LogGroupsExpire } from './log-groups';
import { acknowledge, acknowledgeCdkFramework, cdkStackSingletons } from './nag';
import { Network } from './network';
import { ScheduledLoad } from './scheduled-load';
import { resolveSource, type ResolvedSource, type SourceLocation } from './source';
import type { ActiveHours } from '../src/aws/pause-schedule';
import { warehouseSlices, type Ra3NodeType } from '../src/aws/redshift-capacity';
import { PauseResumeSchedule } from './pause-resume';
import { ServerlessUsageLimit, type UsageLimit } from './serverless-usage-limit';
import { StagingBucket } from './staging-bucket';
import type { WarehouseTarget } from '../src/data-api/target';
import { Warehouse } from './warehouse';

/** Properties of {@link SparkifyWarehouse}. */
export interface SparkifyWarehouseProps {
  /**
   * Where COPY reads the song and log files. Ignored with `sampleDataDir`.
   * @default the public dataset: s3://udacity-dend (us-west-2), song_data, log_data, log_json_path.json
   */
  readonly source?: SourceLocation;
  /**
   * A local folder (song_data/, log_data/, log_json_path.json) to deploy into a private
   * bucket of the construct and load instead of `source`, so a deploy works in any region.
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
   * The most RPUs the Serverless workgroup scales to (a multiple of 8, at least
   * `baseCapacity`): what an hour of queries costs at most.
   * @default 4 × baseCapacity (32 RPUs with the default base)
   */
  readonly maxCapacity?: number;
  /**
   * Serverless only: the RPU-hours the workgroup may use per day, week or month, and what
   * happens past them (by default user queries are turned off until the period ends).
   * @default none: no limit but `maxCapacity`
   */
  readonly usageLimit?: UsageLimit;
  /**
   * Provisioned only: the hours (UTC) the cluster runs; it is paused the rest of the time
   * (e.g. `{ from: 7, to: 19, days: 'weekdays' }`: paused nights and weekends). A paused
   * cluster bills storage only; scheduled loads skip it.
   * @default none: the cluster runs all the time
   */
  readonly activeHours?: ActiveHours;
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
   * Add a small EC2 instance in the warehouse's subnet, with the interface endpoints Session
   * Manager needs, through which the analysts' role may forward a local port to the
   * warehouse's (see {@link AnalystBastion}): BI tools over JDBC/ODBC connect to `localhost`.
   * @default false: no network path into the VPC; analysts use the Data API or Query Editor v2
   */
  readonly analystBastion?: boolean;
  /**
   * With `schedule`: an email address told when a scheduled load fails.
   * @default none: subscribe to `scheduledLoad.alarmTopic` yourself
   */
  readonly notificationEmail?: string;
}

/**
 * The Sparkify warehouse as one construct, to place in any stack: a private network, the
 * role COPY uses, the Redshift warehouse (a cluster or Serverless), a load on deploy that
 * builds the star schema from S3, a role for analysts, and optionally a scheduled load.
 * Each part acknowledges its own cdk-nag findings; names cannot collide with another
 * SparkifyWarehouse in the same stack.
 */
export class SparkifyWarehouse extends Construct implements ec2.IConnectable {
  /** The VPC and its isolated subnets. */
  readonly network: Network;
  /** The role Redshift assumes for COPY. */
  readonly copyRole: iam.IRole;
  /** The cluster or the Serverless namespace and workgroup, with its security group. */
  readonly warehouse: Warehouse;
  /** Where Data API calls on this warehouse go: database, cluster or workgroup, admin secret. */
  readonly dataApiTarget: WarehouseTarget;
  /** The warehouse's security group: `connections.allowDefaultPortFrom(client)` lets a client in. */
  readonly connections: ec2.Connections;
  /** The load on deploy (a custom resource). */
  readonly loader: EtlLoader;
  /** The role analysts assume to read the warehouse as the database role `analysts`. */
  readonly analystRole: iam.IRole;
  /** With `analystBastion`: the instance the analysts' role forwards a port through. */
  readonly analystBastion?: AnalystBastion;
  /** With `schedule`: the scheduled load, its dead-letter queue and alarm topic. */
  readonly scheduledLoad?: ScheduledLoad;
  /** With `activeHours`: the actions that pause and resume the cluster. */
  readonly pauseResume?: PauseResumeSchedule;
  /** With `usageLimit`: the workgroup's RPU-hour limit. */
  readonly usageLimit?: ServerlessUsageLimit;
  /** What COPY reads, defaults filled in (the sample bucket with `sampleDataDir`). */
  readonly source: ResolvedSource;
  /** The bucket the deploy's load compacts the song and event files into, which its COPYs read. */
  readonly stagingBucket: StagingBucket;
  /**
   * What the deploy's load reported, as deploy-time tokens of the load's custom resource:
   * the rows of each star table, the songplays matched to a song, the seconds it took.
   */
  readonly loaded: Readonly<Record<LoadResult, string>>;

  constructor(scope: Construct, id: string, props: SparkifyWarehouseProps = {}) {
    super(scope, id);
    if (props.serverless && props.activeHours) throw new Error('activeHours pauses a provisioned cluster: Serverless bills only while queries run, use maxCapacity and usageLimit');
    if (!props.serverless && (props.usageLimit || props.maxCapacity !== undefined)) {
      throw new Error('maxCapacity and usageLimit are for Serverless (serverless: true); a cluster is billed by its nodes, see activeHours');
    }
    const destroy = props.destroyOnDelete ?? false;
    // Kept on delete, but not when the deploy that created them rolls back, so a failed
    // first deploy leaves nothing that blocks the next one.
    const keep = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.network = new Network(this, 'Network', { removalPolicy: keep, availabilityZones: props.serverless ? 3 : 2 });

    const { source, deployment } = props.sampleDataDir
      ? this.sampleSource(props.sampleDataDir, keep)
      : { source: resolveSource(props.source), deployment: undefined };
    this.source = source;
    const copyRole = new CopyRole(this, 'CopyRole', { source, serverless: props.serverless }).role;
    this.copyRole = copyRole;
    // A cluster writes its audit logs to S3; Serverless exports them to CloudWatch Logs.
    const auditLogs = props.serverless ? undefined : new AuditLogBucket(this, 'AuditLogs', { removalPolicy: keep });
    this.warehouse = new Warehouse(this, 'Warehouse', {
      vpc: this.network.vpc,
      subnets: this.network.subnets,
      copyRole,
      auditLogBucket: auditLogs?.bucket,
      serverless: props.serverless,
      nodeType: props.nodeType,
      numberOfNodes: props.numberOfNodes,
      baseCapacity: props.baseCapacity,
      maxCapacity: props.maxCapacity,
      enhancedVpcRouting: this.sameRegion(source.region),
      removalPolicy: destroy ? RemovalPolicy.DESTROY : undefined,
      auditLogRemovalPolicy: keep,
    });
    this.dataApiTarget = this.warehouse.dataApi;
    this.connections = this.warehouse.connections;
    if (props.activeHours && this.dataApiTarget.clusterIdentifier) {
      this.pauseResume = new PauseResumeSchedule(this, 'PauseResume', {
        clusterIdentifier: this.dataApiTarget.clusterIdentifier,
        clusterArn: this.dataApiTarget.resourceArn,
        activeHours: props.activeHours,
      });
    }
    if (props.usageLimit && this.warehouse.workgroupArn) {
      this.usageLimit = new ServerlessUsageLimit(this, 'UsageLimit', {
        workgroupArn: this.warehouse.workgroupArn,
        limit: props.usageLimit,
        logRemovalPolicy: keep,
      });
    }

    this.stagingBucket = new StagingBucket(this, 'Staging', { removalPolicy: keep });
    this.stagingBucket.grantReadCompactions(copyRole);
    const files = readDeploySql();
    const maxErrors = props.maxErrors ?? 0;
    const slices = warehouseSlices({ serverless: props.serverless, nodeType: props.nodeType, numberOfNodes: props.numberOfNodes });
    const plan = buildLoadPlan(files, { ...source, copyRoleArn: copyRole.roleArn, maxErrors }, 'rebuild', {
      song_manifest_uri: s3Uri(this.stagingBucket.bucket.bucketName, DEPLOY_SONG_MANIFEST_KEY),
      log_manifest_uri: s3Uri(this.stagingBucket.bucket.bucketName, DEPLOY_EVENT_MANIFEST_KEY),
      staged_log_jsonpaths_uri: s3Uri(this.stagingBucket.bucket.bucketName, DEPLOY_JSONPATHS_KEY),
    });
    this.loader = new EtlLoader(this, 'Load', {
      target: this.dataApiTarget,
      plan,
      compaction: {
        source,
        staging: this.stagingBucket,
        slices,
        maxErrors,
      },
      sqlHash: `${hashSqlFiles(files)}:${JSON.stringify(Stack.of(this).resolve(source))}:${props.maxErrors ?? 0}`,
      timeout: props.loadTimeout,
      pollInterval: props.loadPollInterval,
      logRemovalPolicy: keep,
    });
    if (deployment) this.loader.node.addDependency(deployment);
    const resource = this.loader.resource;
    this.loaded = Object.fromEntries(LOAD_RESULTS.map((name) => [name, resource.getAttString(name)])) as Record<LoadResult, string>;
    this.analystRole = new AnalystAccess(this, 'Analysts', { target: this.dataApiTarget, principals: props.analystPrincipals }).role;
    if (props.analystBastion) {
      this.analystBastion = new AnalystBastion(this, 'AnalystBastion', { vpc: this.network.vpc, warehouse: this.warehouse });
      this.analystBastion.grantPortForwarding(this.analystRole);
    }
    if (props.schedule) {
      this.checkScheduledSourceRegion(source.region);
      this.scheduledLoad = new ScheduledLoad(this, 'ScheduledLoad', {
        schedule: props.schedule,
        target: this.dataApiTarget,
        source,
        copyRole,
        slices,
        maxErrors: props.maxErrors,
        notificationEmail: props.notificationEmail,
        removalPolicy: keep,
      });
      // The first scheduled run comes after the deploy's load has built the tables.
      this.scheduledLoad.rule.node.addDependency(resource);
    } else if (props.notificationEmail) {
      throw new Error('notificationEmail is for failed scheduled loads: it needs schedule too');
    }

    const expire = new LogGroupsExpire({ removalPolicy: keep });
    Aspects.of(this).add(expire);
    // CDK makes some helper functions once per stack, at its root, for the resources above.
    for (const singleton of cdkStackSingletons(this)) {
      Aspects.of(singleton).add(expire);
      acknowledgeCdkFramework(singleton);
    }
  }

  /**
   * Lets `grantee` run statements on this warehouse through the Redshift Data API
   * (ExecuteStatement and BatchExecuteStatement, on this cluster or workgroup only), follow
   * and cancel its own statements, and authenticate with the admin secret: it runs as the
   * admin user, who owns the tables. To read only, assume {@link analystRole} instead.
   */
  grantDataApi(grantee: iam.IGrantable): iam.Grant {
    return grantDataApiAccess(grantee, this.dataApiTarget, ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement']);
  }

  /** True when the source bucket is in the stack's region, decided at deploy time when the region is not known at synth. */
  private sameRegion(sourceRegion: string): boolean | ReturnType<typeof Fn.conditionIf> {
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(sourceRegion) && !Token.isUnresolved(region)) return sourceRegion === region;
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
    const region = Stack.of(this).region;
    if (Token.isUnresolved(sourceRegion) || Token.isUnresolved(region) || sourceRegion === region) return;
    throw new Error(
      `schedule needs the source bucket in the stack's region (${region}), but it is in ${sourceRegion}: ` +
        'copy the files to a bucket in this region (or deploy the stack in the source region), or use sampleData',
    );
  }

  /** A private bucket holding the sample folder, and the deployment filling it. */
  private sampleSource(dir: string, removalPolicy: RemovalPolicy): { source: ResolvedSource; deployment: Construct } {
    const bucket = new s3.Bucket(this, 'SampleData', {
      ...privateBucketProps(removalPolicy),
    });
    acknowledge(
      bucket,
      'AwsSolutions-S1',
      'A private copy of the generated sample data, written once by the deployment and read only by the COPY role; it holds no personal data.',
    );
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
