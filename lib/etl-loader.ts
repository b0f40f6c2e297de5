import { CustomResource, Duration, RemovalPolicy, aws_iam as iam, aws_logs as logs, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { attributeName } from '../src/data-api/deploy-load';
import { statementInfoOf, type LoadProperties } from '../src/data-api/load-properties';
import { SUMMARY_COLUMNS } from '../src/sql/summary';
import { toRedshiftSql, type PlannedStatement } from '../src/sql/plan';
import { loaderFunction } from './loader-function';
import { grantSourceRead, type ResolvedSource } from './source';
import type { StagingBucket } from './staging-bucket';
import { grantDataApiAccess } from './data-api-access';
import { acknowledge, acknowledgeCdkFramework, acknowledgeWildcards } from './nag';
import type { WarehouseTarget } from '../src/data-api/target';

/**
 * What a finished load reports, as attributes of its custom resource (src/data-api/deploy-load.ts):
 * each column of sql/'s summary (the rows of the staging and star tables, the songplays
 * matched to a song) and the seconds it took in all.
 */
export const LOAD_RESULTS: readonly string[] = [...SUMMARY_COLUMNS.map(attributeName), 'TotalSeconds'];

/** One of {@link LOAD_RESULTS}, e.g. `Songplays` or `MatchedSongplays`. */
export type LoadResult = string;

/** Properties of {@link EtlLoader}. */
export interface EtlLoaderProps {
  /** How the loader reaches the warehouse. */
  readonly target: WarehouseTarget;
  /** The load's statements in run order (from `buildLoadPlan`). */
  readonly plan: readonly PlannedStatement[];
  /** A hash of sql/ and the source: when it changes, the next deploy loads again. */
  readonly sqlHash: string;
  /**
   * The song and event files onEvent compacts into the staging bucket before it submits
   * the load (the plan's COPYs read their manifests), and how.
   */
  readonly compaction: {
    /** Where the song and event files and the JSONPaths file are: the loader may list and read them. */
    readonly source: ResolvedSource;
    /** Where the compacted files go: the loader may write them. */
    readonly staging: StagingBucket;
    /** The warehouse's slices (src/aws/redshift-capacity.ts): the compacted file count is a multiple of it. */
    readonly slices: number;
    /** Records that are not JSON objects the compaction may leave out (COPY's MAXERROR). */
    readonly maxErrors: number;
  };
  /**
   * How long the whole load may take before the deploy fails (CloudFormation allows a
   * custom resource at most one hour).
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /**
   * How often the load's progress is checked; must divide the timeout.
   * @default Duration.seconds(10)
   */
  readonly pollInterval?: Duration;
  /**
   * What happens to the loader's log groups (its functions', the Provider's and its
   * waiter's) when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The custom resource that loads the warehouse on deploy: it sends the statements of
 * sql/ through the Redshift Data API as batches (each one transaction) and succeeds only
 * when the load and its checks finished, returning the row counts and the seconds each
 * kind of statement took as attributes. A load about to outlive its timeout is
 * cancelled (CancelStatement) before the deploy fails, so it cannot commit later. Delete
 * cancels a load still running and leaves the data alone.
 */
export class EtlLoader extends Construct {
  /** The custom resource: read row counts with `getAtt('Songplays')` and so on. */
  readonly resource: CustomResource;
  /**
   * The identity the load runs as. Only the identity that submitted a statement may
   * follow or cancel it, so both handlers share it; a scheduled load runs as it too.
   */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EtlLoaderProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.hours(1);
    const pollInterval = props.pollInterval ?? Duration.seconds(10);
    if (timeout.toSeconds() > 3600) throw new Error('timeout: CloudFormation gives a custom resource at most one hour');
    if (timeout.toSeconds() < 4 * pollInterval.toSeconds()) {
      throw new Error(`timeout (${timeout.toSeconds()} s) must be at least four pollIntervals (${pollInterval.toSeconds()} s)`);
    }
    if (timeout.toSeconds() % pollInterval.toSeconds() !== 0) {
      throw new Error(`timeout (${timeout.toSeconds()} s) must be a multiple of pollInterval (${pollInterval.toSeconds()} s)`);
    }

    // One role for both functions: only the identity that submitted a statement may describe it.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the Sparkify loads through the Redshift Data API',
    });
    this.role = role;
    grantDataApiAccess(role, props.target);
    acknowledgeWildcards(
      role,
      'redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no resource-level permissions in IAM (the Data API ' +
        'only shows and cancels a caller its own statements), nor has xray:PutTraceSegments; the log-group wildcards are the streams of the functions own log groups; ' +
        'the S3 wildcards end the source prefixes (read, to compact the song and event files) and songs/ and events/ of the staging bucket (write, the compacted files).',
    );
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const { source, staging, slices, maxErrors } = props.compaction;
    grantSourceRead(role, source, [source.jsonPathsKey]);
    staging.grantWriteCompactions(role);
    // onEvent compacts the song catalogue and the event logs before it submits the load: Lambda's longest run.
    const onEvent = loaderFunction(this, 'OnEvent', { handler: 'etl-handler.onEvent', role, logRemovalPolicy, timeout: Duration.minutes(15) });
    const isComplete = loaderFunction(this, 'IsComplete', { handler: 'etl-handler.isComplete', role, logRemovalPolicy });
    const logGroup = (name: string) =>
      new logs.LogGroup(this, name, { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: logRemovalPolicy });

    const provider = new Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: pollInterval,
      totalTimeout: timeout,
      // The framework's own functions log here, not to a group Lambda would make at run time.
      logGroup: logGroup('ProviderLogs'),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: logGroup('WaiterLogs'), level: sfn.LogLevel.ALL },
    });
    acknowledgeCdkFramework(provider);
    acknowledge(provider, 'AwsSolutions-SF2', 'The CDK Provider framework does not let its waiter state machine enable X-Ray; the load functions it calls are traced.');
    const properties: LoadProperties = {
      Statements: toRedshiftSql(props.plan),
      StatementInfo: statementInfoOf(props.plan),
      SqlHash: props.sqlHash,
      // Two looks before the Provider gives up: time to cancel the batch and say why.
      CancelAfterSeconds: String(timeout.toSeconds() - 2 * pollInterval.toSeconds()),
      Target: props.target,
      Compaction: {
        SourceBucket: source.bucket,
        SourceRegion: source.region,
        SongPrefix: source.songPrefix,
        LogPrefix: source.logPrefix,
        JsonPathsKey: source.jsonPathsKey,
        StagingBucket: staging.bucket.bucketName,
        Slices: String(slices),
        MaxErrors: String(maxErrors),
      },
    };
    this.resource = new CustomResource(this, 'Load', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SparkifyLoad',
      serviceTimeout: Duration.hours(1),
      properties: properties as unknown as Record<string, unknown>,
    });
  }
}
