import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataApi, type ResultRow } from '../data-api/client';
import { parseScheduledLoadConfig, SCHEDULED_LOAD_CONFIG_VARIABLE } from '../data-api/scheduled-config';
import { readAppConfig } from '../../lib/app-config';
import { readAnalyticsQueries } from '../analytics/queries';
import { runRemoteQuery } from '../analytics/remote-query';
import { ANALYSTS_DATABASE_ROLE } from '../sql/access';
import { TABLES, type TableName } from '../local/runner';
import { startDataApiStandIn, type DataApiStandIn, type StandInCall, type StandInDatabase, type StandInFault } from './data-api-stand-in';
import { TemplateResolver } from './intrinsics';
import { LambdaFleet, roleCredentials, SimulatedClock, type LambdaSandbox } from './lambda-runtime';
import { ProviderDriver, type CustomResourceRequest, type ProviderResponse } from './provider-driver';
import { startRedshiftStandIn, type RedshiftStandIn } from './redshift-stand-in';
import { startS3StandIn, type S3StandIn } from './s3-stand-in';
import type { CopyRead } from './s3-copy';
import { sourceDays, uploadKeys, jsonKeysUnder, type SourceDay } from './source-days';
import { readStackPlan, type AnalystsPlan, type LambdaFunctionSpec, type StackPlan } from './stack-plan';
import { PROJECT_ROOT, synthesizeApp, type SynthesizedStack } from './synth';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { quoteLiteral } from '../sql/render';

/**
 * A rehearsal of `cdk deploy` on this machine: synthesize the app, read the load's
 * custom resource and the functions behind it from the template, and run the bundled
 * handlers from cdk.out as CloudFormation, the Provider framework and EventBridge would
 * run them (Create, the scheduled runs, an Update, a Delete), against a local Data API
 * stand-in (the statements run on PGlite or Postgres as the caller's database user) and a
 * local S3 stand-in over folders. It reports what each step did, what the warehouse
 * holds, and the custom resource's attributes.
 *
 * Once the Create succeeded and the scheduled runs (if any) ran, before the Update, the
 * analysts' IAM role (the stack's `AnalystRoleArn` output) runs every query of
 * sql/analytics/ as an analyst would: through its own RedshiftDataClient, the project's
 * DataApi and runRemoteQuery, with its own credentials and no secret, so its database
 * user `IAMR:<role name>` reads only what the database roles its `RedshiftDbRoles` tag
 * lists may read (the stand-in grants them at its sign-in, as Redshift does).
 */

/** The faults a rehearsal can inject into the deploy's load (the stand-in's StandInFault kinds). */
export const FAULTS = ['statement-fails', 'aborted', 'throttled', 'timeout'] as const;
export type FaultName = (typeof FAULTS)[number];

/** Options of {@link rehearse}. */
export interface RehearsalOptions {
  /** The app's context, as `cdk deploy -c key=value` takes it. */
  readonly context: Readonly<Record<string, string>>;
  /**
   * The folder standing for the source bucket (song_data/, log_data/, the JSONPaths file).
   * @default for `sampleData`, the sample the synth put in the cloud assembly; else required
   */
  readonly dataDir?: string;
  /**
   * A Postgres database for the warehouse (its load tables are dropped and loaded).
   * @default PGlite in the rehearsal's temporary folder
   */
  readonly databaseUrl?: string;
  /**
   * The stack's environment.
   * @default environment-agnostic (the synth may need REHEARSAL_ENVIRONMENT, see synth.ts)
   */
  readonly env?: { readonly account: string; readonly region: string };
  /**
   * The region an environment-agnostic stack is rehearsed in (AWS::Region).
   * @default 'us-west-2', where the public dataset is
   */
  readonly region?: string;
  /** A fault to inject. @default none */
  readonly fault?: FaultName;
  /** Which request of the load the fault hits. @default 'update' */
  readonly faultOn?: 'create' | 'update';
  /** With a schedule: days of event logs in the bucket before the deploy. @default 1 */
  readonly firstDays?: number;
  /** With a schedule: scheduled runs after the deploy, each after one more day arrived. @default 3 */
  readonly runs?: number;
  /**
   * With a schedule on a provisioned cluster: the scheduled runs (counting from 1) during
   * which the cluster is paused, as its pause schedule would have it; DescribeClusters
   * answers `paused` then, `available` otherwise.
   * @default none: the cluster is available at every run
   */
  readonly pausedRuns?: readonly number[];
  /**
   * A synth of the same context and environment to use instead of a new one (its cloud
   * assembly is only read), so several rehearsals of one variant share one synth.
   * @default a new synth into the work folder
   */
  readonly synthesized?: SynthesizedStack;
  /** Keep the work folder (cdk.out, function logs, PGlite) here instead of a temporary one that is removed. */
  readonly workDir?: string;
  /** Told of each step as it starts. */
  readonly onProgress?: (line: string) => void;
}

/** Row counts of the warehouse's tables (missing tables absent). */
export type TableSnapshot = Record<string, number>;

/** One step of the rehearsal. */
export interface RehearsalStep {
  /** `create`, `create-rollback`, `scheduled-run-1`, `update`, `update-rollback`, `delete`. */
  readonly name: string;
  readonly outcome: 'succeeded' | 'failed';
  /** What happened, or the handler's error (what the stack would fail with). */
  readonly message: string;
  /** isComplete invocations (custom resource requests). */
  readonly polls: number;
  /** The custom resource's Data (Create/Update), or the scheduled run's counts. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The stack's status after the step. */
  readonly stackStatus: string;
  readonly simulatedSeconds: number;
  readonly realSeconds: number;
  /** Row counts of the warehouse's tables after the step. */
  readonly tables: TableSnapshot;
  /** For a failed request and for Delete: whether every table kept its rows (and no table came or went). */
  readonly warehouseUnchanged?: boolean;
  /** The framework's Reason, as the stack event shows it, for a failed request. */
  readonly reason?: string;
  /** Statements cancelled (CancelStatement) during the step. */
  readonly cancelledStatements?: readonly string[];
  /** Data API calls answered with ThrottlingException during the step. */
  readonly throttledCalls?: number;
  /** The COPYs the step's batches ran (committed or not): each one's table and the `s3://` objects it read. */
  readonly copies?: readonly CopyRead[];
  /** The fault injected into this step. */
  readonly fault?: string;
  /**
   * A batch of the step was still running in the warehouse when the step ended (it was
   * not cancelled): it may yet commit. The tables were not read then.
   */
  readonly batchStillRunning?: boolean;
  /** Scheduled runs: the day of event logs added to the bucket before the run. */
  readonly dayAdded?: string;
  /** Scheduled runs on a provisioned cluster: its status during the run, as DescribeClusters answers it. */
  readonly clusterStatus?: string;
}

/** One analytics query as the analysts' IAM identity ran it. */
export interface AnalystQueryResult {
  /** The query's name (its file in sql/analytics/). */
  readonly name: string;
  /** Its rows as the Data API gave them (none when it failed). */
  readonly rows: readonly ResultRow[];
  /** Why it failed, e.g. `The query failed: ERROR: permission denied for table songplays`. */
  readonly error?: string;
}

/** The analytics queries run as the analysts' IAM identity. */
export interface AnalystsRehearsal {
  /** The IAM role (the stack's `AnalystRoleArn` output). */
  readonly role: string;
  /** The database users the stand-in ran its statements as: `IAMR:<role name>`. */
  readonly databaseUsers: readonly string[];
  /** Where they ran, from the stack's outputs: the database and the workgroup or cluster, no secret. */
  readonly target: AnalystsPlan['target'];
  /** The step after which they ran: `create`, or the last scheduled run. */
  readonly after: string;
  readonly queries: readonly AnalystQueryResult[];
  /** The names of the queries that failed: with any, the analysts could not use the stack as deployed. */
  readonly failed: readonly string[];
}

/** What the rehearsal found. */
export interface RehearsalReport {
  readonly tables: Record<TableName, number>;
  readonly matchedSongplays: number;
  /** The custom resource's attributes after the rehearsal (its last successful Create or Update). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly steps: readonly RehearsalStep[];
  /** Whether the deploy would have succeeded: every request of the load answered SUCCESS. */
  readonly succeeded: boolean;
  readonly stack: {
    readonly name: string;
    readonly status: string;
    readonly warehouse: 'cluster' | 'serverless';
    readonly account: string;
    readonly region: string;
    readonly environmentAgnostic: boolean;
  };
  /**
   * What the database role for people (analysts: sql/03_grant_read.sql creates it and
   * grants it read) may do after the rehearsal: for each table, `read`, or the
   * database's refusal.
   */
  readonly analystsAccess: Readonly<Record<string, string>>;
  /**
   * The analytics queries the analysts' IAM role ran through the Data API, signed in with
   * its own identity; absent when the Create failed or the stack outputs no AnalystRoleArn.
   */
  readonly analysts?: AnalystsRehearsal;
  /** Data API calls the stand-in answered, by operation. */
  readonly dataApiCalls: Readonly<Record<string, number>>;
  /** Who called the Data API (the IAM role) and the database user its statements ran as. */
  readonly callers: readonly { readonly role: string; readonly databaseUsers: readonly string[]; readonly calls: number }[];
  /** The functions run, with their bundles and logs. */
  readonly functions: readonly { readonly name: string; readonly role: string; readonly bundle: string; readonly invocations: number; readonly coldStarts: number; readonly log: string }[];
  /** The work folder, when kept. */
  readonly workDir?: string;
  readonly dataDir: string;
}

/** A mistake in the rehearsal's options or the data given: exit code 2. */
export class RehearsalUsageError extends Error {}

/** AWS::Region of an environment-agnostic stack when no region is given: where the public dataset is. */
export const DEFAULT_REGION = 'us-west-2';

/** With a schedule, days of event logs in the bucket before the deploy when not given. */
export const DEFAULT_FIRST_DAYS = 1;

/** With a schedule, scheduled runs after the deploy when not given. */
export const DEFAULT_SCHEDULED_RUNS = 3;
const DEFAULT_ACCOUNT = '123456789012';
/** The message injected statement failures carry. */
export const INJECTED_ERROR = 'ERROR: rehearsal fault: this statement was made to fail (npm run rehearse --fault statement-fails)';
/** Throttled calls of DescribeStatement: more than the SDK's six attempts, so the handler itself sees one. */
const THROTTLED_CALLS = 8;
/** How long a step's end waits for the warehouse's batches to finish, in real ms. */
const SETTLE_MS = 5000;

/** The stand-in fault a named fault is, for the load's statements. */
export function standInFault(fault: FaultName, statementInfo: readonly { kind?: string }[]): StandInFault {
  switch (fault) {
    case 'statement-fails': {
      // A transform statement: the COPYs ran and the tables were rebuilt before it, all in the one transaction.
      const index = statementInfo.findIndex((info) => info.kind === 'transform');
      return { kind: 'fail-statement', statement: index < 0 ? 1 : index + 1, error: INJECTED_ERROR };
    }
    case 'aborted':
      return { kind: 'abort-batch', batch: 1 };
    case 'throttled':
      return { kind: 'throttle', operation: 'DescribeStatement', calls: THROTTLED_CALLS };
    case 'timeout':
      return { kind: 'hang-batch', batch: 1 };
  }
}

/** How long one period of an EventBridge schedule is, in ms (a cron schedule is rehearsed as daily). */
export function schedulePeriodMs(expression: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!rate) return 24 * 3600_000;
  return Number(rate[1]) * { minute: 60_000, hour: 3600_000, day: 24 * 3600_000 }[rate[2] as 'minute' | 'hour' | 'day'];
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table of the warehouse, named with its schema (a stand-in session's search path is not the load's). */
const warehouseTable = (name: string) => `${quoteIdentifier(DEFAULT_WAREHOUSE_SCHEMA)}.${quoteIdentifier(name)}`;

/** Runs a rehearsal. @throws RehearsalUsageError for bad options or data; other errors for what broke in the rehearsal itself */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const progress = options.onProgress ?? (() => undefined);
  try {
    readAppConfig((key) => options.context[key]);
  } catch (error) {
    throw new RehearsalUsageError((error as Error).message);
  }
  if (options.dataDir !== undefined && !(existsSync(options.dataDir) && statSync(options.dataDir).isDirectory())) {
    throw new RehearsalUsageError(`--data ${options.dataDir} is not a folder`);
  }
  const keep = options.workDir !== undefined;
  if (keep && existsSync(options.workDir as string) && readdirSync(options.workDir as string).length > 0) {
    throw new RehearsalUsageError(`--keep ${options.workDir} is not empty: give a new or empty folder`);
  }
  const workDir = keep ? path.resolve(options.workDir as string) : mkdtempSync(path.join(tmpdir(), 'sparkify-rehearsal-'));
  mkdirSync(workDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  try {
    if (!options.synthesized) {
      progress(`synthesizing the app${Object.keys(options.context).length ? ` with ${Object.entries(options.context).map(([key, value]) => `-c ${key}=${value}`).join(' ')}` : ''}`);
    }
    const synth = options.synthesized ?? (await synthesizeApp({ context: options.context, outdir: path.join(workDir, 'cdk.out'), env: options.env }));
    const identity = {
      stackName: synth.stackName,
      account: synth.env?.account ?? DEFAULT_ACCOUNT,
      region: synth.env?.region ?? options.region ?? DEFAULT_REGION,
    };
    const resolver = new TemplateResolver(synth.template, identity);
    const plan = readStackPlan(resolver, synth.outdir);
    progress("starting the Data API and S3 stand-ins and the functions' runtime");
    const run = new Run(options, plan, workDir, { ...identity, stackId: resolver.stackId, environmentAgnostic: synth.env === undefined }, progress);
    closers.push(() => run.close());
    await run.start();
    return { ...(await run.steps()), workDir: keep ? workDir : undefined };
  } finally {
    for (const close of closers.reverse()) await close();
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  }
}

/** The state of one rehearsal while it runs. */
class Run {
  private readonly clock = new SimulatedClock((maxRealMs) => this.whileBusy(maxRealMs));
  /** Whether the current Data API stand-in was started with a batch that never finishes. */
  private hangInjected = false;
  private fleet!: LambdaFleet;
  private dataApi!: DataApiStandIn;
  private s3!: S3StandIn;
  private redshift!: RedshiftStandIn;
  /** The provisioned cluster the scheduled loader targets, if any. */
  private scheduledCluster?: string;
  private driver!: ProviderDriver;
  private readonly bucketFolders = new Map<string, string>();
  private readonly dataDir: string;
  private readonly days: SourceDay[] = [];
  private daysUploaded = 0;
  /** Calls answered by stand-ins stopped earlier (a stand-in is restarted to inject a fault into the Update). */
  private readonly earlierCalls: StandInCall[] = [];
  private readonly stepsDone: RehearsalStep[] = [];
  private analysts?: AnalystsRehearsal;

  constructor(
    private readonly options: RehearsalOptions,
    private readonly plan: StackPlan,
    private readonly workDir: string,
    private readonly identity: { readonly stackName: string; readonly account: string; readonly region: string; readonly stackId: string; readonly environmentAgnostic: boolean },
    private readonly progress: (line: string) => void,
  ) {
    const sample = plan.sampleDataAsset;
    const dataDir = options.dataDir ?? sample?.dir;
    if (!dataDir) {
      throw new RehearsalUsageError(
        `The load reads ${plan.sourceBuckets.map((bucket) => `s3://${bucket}`).join(', ')}, which is not on this machine: ` +
          'give --data DIR, a folder laid out like it (e.g. ../shared/data/udacity-sample), or rehearse -c sampleData=true',
      );
    }
    this.dataDir = path.resolve(dataDir);
  }

  private get faultOn(): 'create' | 'update' {
    return this.options.faultOn ?? 'update';
  }

  private fault(): StandInFault[] {
    if (!this.options.fault) return [];
    return [standInFault(this.options.fault, (this.plan.load.properties.StatementInfo ?? []) as { kind?: string }[])];
  }

  /** Fills the buckets' folders, starts the stand-ins and the functions' runtime. */
  async start(): Promise<void> {
    const scheduled = this.plan.scheduled;
    const sourceBuckets = new Set(this.plan.sourceBuckets);
    if (this.plan.sampleDataAsset) sourceBuckets.add(this.plan.sampleDataAsset.bucket);
    if (scheduled) {
      const config = parseScheduledLoadConfig(scheduled.function.environment[SCHEDULED_LOAD_CONFIG_VARIABLE]);
      sourceBuckets.add(config.source.bucket);
      // New files arrive a day at a time: the bucket is a folder of the rehearsal's, filled from the data folder.
      const source = path.join(this.workDir, 'buckets', config.source.bucket);
      mkdirSync(source, { recursive: true });
      for (const bucket of sourceBuckets) this.bucketFolders.set(bucket, source);
      this.days.push(...sourceDays(this.dataDir, config.source.logPrefix));
      const firstDays = Math.max(0, this.options.firstDays ?? DEFAULT_FIRST_DAYS);
      const uploadedAt = new Date(this.clock.now());
      uploadKeys(this.dataDir, source, [...jsonKeysUnder(this.dataDir, config.source.songPrefix), config.source.jsonPathsKey].filter((key) => existsSync(path.join(this.dataDir, key))), uploadedAt);
      for (const day of this.days.slice(0, firstDays)) uploadKeys(this.dataDir, source, day.keys, uploadedAt);
      this.daysUploaded = Math.min(firstDays, this.days.length);
      this.scheduledCluster = config.target.clusterIdentifier;
      const runs = path.join(this.workDir, 'buckets', config.runsBucket);
      mkdirSync(runs, { recursive: true });
      this.bucketFolders.set(config.runsBucket, runs);
    } else {
      for (const bucket of sourceBuckets) this.bucketFolders.set(bucket, this.dataDir);
    }

    if (this.plan.stagingBucket) {
      // onEvent writes the compacted song files here, the song COPY reads them: a folder of the rehearsal's own.
      const staging = path.join(this.workDir, 'buckets', this.plan.stagingBucket);
      mkdirSync(staging, { recursive: true });
      this.bucketFolders.set(this.plan.stagingBucket, staging);
    }
    const accessKeys = Object.fromEntries(this.functions().map((spec) => [roleCredentials(spec.roleName).accessKeyId, spec.roleName]));
    // Only the scheduled loader calls S3, but every function gets the stand-in: nothing reaches AWS.
    this.s3 = await startS3StandIn({ bucketFolder: (bucket) => this.bucketFolders.get(bucket), accessKeys, now: () => this.clock.now() });
    if (this.options.pausedRuns?.length && !this.scheduledCluster) {
      throw new RehearsalUsageError('pausedRuns needs a schedule on a provisioned cluster (-c schedule=..., without -c serverless=true)');
    }
    this.redshift = await startRedshiftStandIn({ clusters: this.scheduledCluster ? { [this.scheduledCluster]: 'available' } : {}, accessKeys });
    if (!this.options.databaseUrl) await newPgliteFolder(this.pgliteDir);
    this.dataApi = await this.startDataApi(this.faultOn === 'create' ? this.fault() : []);
    this.fleet = new LambdaFleet(
      {
        region: this.identity.region,
        redshiftDataEndpoint: this.dataApi.endpoint,
        redshiftEndpoint: this.redshift.endpoint,
        s3Endpoint: this.s3.endpoint,
        workDir: this.workDir,
      },
      this.clock,
    );
    this.driver = new ProviderDriver(this.plan.load, this.fleet, { stackId: this.identity.stackId, region: this.identity.region });
  }

  private functions(): LambdaFunctionSpec[] {
    const specs = [this.plan.load.onEvent, this.plan.load.isComplete, this.plan.scheduled?.function];
    return specs.filter((spec): spec is LambdaFunctionSpec => spec !== undefined);
  }

  /** The IAM roles that call the Data API: the functions' and the analysts'. */
  private dataApiCallers(): string[] {
    return [...new Set([...this.functions().map((spec) => spec.roleName), ...(this.plan.analysts ? [this.plan.analysts.roleName] : [])])];
  }

  private database(): StandInDatabase {
    return this.options.databaseUrl ? { databaseUrl: this.options.databaseUrl } : { pgliteDir: this.pgliteDir };
  }

  private get pgliteDir(): string {
    return path.join(this.workDir, 'warehouse');
  }

  private startDataApi(faults: StandInFault[]): Promise<DataApiStandIn> {
    const { warehouse } = this.plan;
    this.hangInjected = faults.some((fault) => fault.kind === 'hang-batch');
    const callers = this.dataApiCallers();
    const accessKeys = Object.fromEntries(callers.map((role) => [roleCredentials(role).accessKeyId, role]));
    // What each caller's RedshiftDbRoles tag lists, as the template tags its role.
    const databaseRoles = Object.fromEntries(
      this.plan.iamRoles.filter((role) => callers.includes(role.roleName) && role.databaseRoles.length > 0).map((role) => [role.roleName, role.databaseRoles]),
    );
    return startDataApiStandIn({
      database: this.database(),
      bucketFolder: (bucket) => this.bucketFolders.get(bucket),
      secrets: warehouse.adminSecretArn ? { [warehouse.adminSecretArn]: warehouse.adminUser } : {},
      adminUser: warehouse.adminUser,
      accessKeys,
      databaseRoles,
      faults,
    });
  }

  /** Restarts the Data API stand-in with faults (they count batches and statements from its start). */
  private async injectFaults(faults: StandInFault[]): Promise<void> {
    await this.settle();
    this.earlierCalls.push(...this.dataApi.calls);
    await this.dataApi.close();
    this.dataApi = await this.startDataApi(faults);
    await this.fleet.repoint({ redshiftDataEndpoint: this.dataApi.endpoint });
  }

  /**
   * Waits, at most `maxRealMs` of real time, while the warehouse has a batch in flight: a
   * wait of the simulated clock lasts as long as real work goes on, and the rest of it is
   * skipped. A batch made to hang does no work: waiting on it until it is cancelled would
   * only cost real time.
   */
  private async whileBusy(maxRealMs: number): Promise<void> {
    if (!this.dataApi || (this.hangInjected && this.dataApi.cancelled.length === 0)) return;
    await this.untilIdle(maxRealMs);
  }

  /** Waits (a little, in real time) for the warehouse to have no batch waiting or running; false if one still runs. */
  private async settle(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      this.dataApi.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), SETTLE_MS);
      }),
    ]);
    clearTimeout(timer);
    return idle;
  }

  /**
   * Row counts of every table in the warehouse's schema: a deploy that loaded anywhere
   * else (public) would show none, so the figures prove the schema was used.
   */
  private async snapshot(): Promise<TableSnapshot> {
    const tables = await this.dataApi.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${quoteLiteral(DEFAULT_WAREHOUSE_SCHEMA)} AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const counts: TableSnapshot = {};
    for (const { name } of tables) {
      const [row] = await this.dataApi.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${warehouseTable(name)}`);
      counts[name] = Number(row?.n ?? 0);
    }
    return counts;
  }

  /** Runs a request of the load and records its step. */
  private async loadStep(
    name: string,
    request: CustomResourceRequest,
    statuses: { succeeded: string; failed: string },
    fault?: string,
  ): Promise<{ step: RehearsalStep; response: ProviderResponse }> {
    this.progress(`${name}: ${request.requestType} request to the custom resource${fault ? ` (fault: ${fault})` : ''}`);
    const before = await this.snapshot();
    const cancelledBefore = this.dataApi.cancelled.length;
    const callsBefore = this.dataApi.calls.length;
    const copiesBefore = this.dataApi.copies.length;
    const response = await this.driver.request(request);
    const settled = await this.settle();
    const after = settled ? await this.snapshot() : undefined;
    const calls = this.dataApi.calls.slice(callsBefore);
    const failed = response.status === 'FAILED';
    const message = failed ? (response.functionError?.errorMessage ?? response.reason) : this.successMessage(request, response);
    const step: RehearsalStep = {
      name,
      outcome: failed ? 'failed' : 'succeeded',
      message,
      polls: response.polls,
      attributes: response.data,
      stackStatus: failed ? statuses.failed : statuses.succeeded,
      simulatedSeconds: round(response.simulatedSeconds),
      realSeconds: round(response.realMs / 1000),
      tables: after ?? {},
      ...((failed || request.requestType === 'Delete') && after ? { warehouseUnchanged: sameSnapshot(before, after) } : {}),
      ...(settled ? {} : { batchStillRunning: true }),
      ...(failed ? { reason: response.reason } : {}),
      ...(this.dataApi.cancelled.length > cancelledBefore ? { cancelledStatements: this.dataApi.cancelled.slice(cancelledBefore) } : {}),
      ...(calls.some((call) => call.error?.includes('Throttling')) ? { throttledCalls: calls.filter((call) => call.error?.includes('Throttling')).length } : {}),
      ...(this.dataApi.copies.length > copiesBefore ? { copies: this.dataApi.copies.slice(copiesBefore) } : {}),
      ...(fault ? { fault } : {}),
    };
    this.stepsDone.push(step);
    this.progress(`${name}: ${step.outcome} after ${step.polls} isComplete call(s), ${step.simulatedSeconds} s simulated (${step.realSeconds} s real)`);
    return { step, response };
  }

  /**
   * Runs every analytics query as the analysts' IAM role would from its own machine
   * (`npm run query`, `npm run report -- --stack`): its own Data API client and
   * credentials, the project's DataApi and runRemoteQuery, the workgroup or cluster the
   * stack outputs and no secret. A query that fails is recorded with its error.
   */
  private async analystQueries(after: string): Promise<AnalystsRehearsal | undefined> {
    const analysts = this.plan.analysts;
    if (!analysts) return undefined;
    const queries = readAnalyticsQueries();
    const where = analysts.target.workgroupName ? `workgroup ${analysts.target.workgroupName}` : `cluster ${analysts.target.clusterIdentifier}`;
    this.progress(`analysts: ${queries.length} analytics queries as ${analysts.roleName}, signed in with its IAM identity, on ${where}`);
    const client = new RedshiftDataClient({
      endpoint: this.dataApi.endpoint,
      region: this.identity.region,
      credentials: roleCredentials(analysts.roleName),
      maxAttempts: 6,
    });
    const callsBefore = this.dataApi.calls.length;
    const results: AnalystQueryResult[] = [];
    try {
      const api = new DataApi(client);
      let submittedAt = 0;
      for (const query of queries) {
        // runRemoteQuery names a batch (and its ClientToken) by Date.now(): two in one millisecond would be one batch.
        while (Date.now() <= submittedAt) await new Promise((resolve) => setTimeout(resolve, 1));
        submittedAt = Date.now();
        try {
          results.push({ name: query.name, rows: await runRemoteQuery(api, analysts.target, query.sql, (ms) => this.untilIdle(ms)) });
        } catch (error) {
          results.push({ name: query.name, rows: [], error: (error as Error).message });
        }
      }
    } finally {
      client.destroy();
    }
    const calls = this.dataApi.calls.slice(callsBefore).filter((call) => call.caller === analysts.roleName);
    const failed = results.filter((result) => result.error !== undefined).map((result) => result.name);
    this.progress(`analysts: ${failed.length === 0 ? 'every query answered' : `${failed.length} of ${results.length} queries FAILED: ${results.find((result) => result.error)?.error}`}`);
    return {
      role: analysts.roleName,
      databaseUsers: [...new Set(calls.flatMap((call) => (call.databaseUser ? [call.databaseUser] : [])))],
      target: analysts.target,
      after,
      queries: results,
      failed,
    };
  }

  /** Waits until the warehouse has no batch waiting or running, at most `maxRealMs`. */
  private async untilIdle(maxRealMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.dataApi.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, maxRealMs)))]);
    clearTimeout(timer);
  }

  private successMessage(request: CustomResourceRequest, response: ProviderResponse): string {
    if (request.requestType === 'Delete') return `Deleted (physical id ${response.physicalResourceId})`;
    const loaded = ['Songplays', 'Users', 'Songs', 'Artists', 'Time'].filter((key) => response.data[key] !== undefined);
    return `Loaded: ${loaded.map((key) => `${key} ${response.data[key]}`).join(', ') || 'no counts returned'}`;
  }

  /** Invokes the scheduled function as EventBridge does (asynchronously: Lambda retries a failed run as configured). */
  private async scheduledRun(index: number, ruleArn: string): Promise<void> {
    const scheduled = this.plan.scheduled!;
    const day = this.days[this.daysUploaded];
    if (day) {
      uploadKeys(this.dataDir, this.bucketFolders.get(parseScheduledLoadConfig(scheduled.function.environment[SCHEDULED_LOAD_CONFIG_VARIABLE]).source.bucket) as string, day.keys, new Date(this.clock.now()));
      this.daysUploaded += 1;
    }
    const name = `scheduled-run-${index}`;
    const clusterStatus = this.scheduledCluster && (this.options.pausedRuns?.includes(index) ? 'paused' : 'available');
    if (this.scheduledCluster && clusterStatus) this.redshift.setStatus(this.scheduledCluster, clusterStatus);
    this.progress(
      `${name}: EventBridge invokes ${scheduled.function.functionName}${day ? ` after ${day.day} arrived` : ' (no new day)'}${clusterStatus === 'paused' ? ', the cluster paused' : ''}`,
    );
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.identity.account,
      time: new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.identity.region,
      resources: [ruleArn],
      detail: {},
    };
    const sandbox = this.fleet.sandbox(scheduled.function);
    const startedReal = Date.now();
    const startedSimulated = this.clock.now();
    const requestId = randomUUID();
    let invocation = await sandbox.invoke(event, requestId);
    let attempts = 1;
    // Lambda retries a failed asynchronous invocation after about one, then two more minutes.
    while (!invocation.ok && attempts <= scheduled.asyncRetryAttempts) {
      await this.clock.pass(attempts * 60_000);
      attempts += 1;
      invocation = await sandbox.invoke(event, requestId);
    }
    await this.settle();
    const result = invocation.ok ? (invocation.result as { status?: string; counts?: Record<string, unknown>; loadedFiles?: number }) : undefined;
    const step: RehearsalStep = {
      name,
      outcome: invocation.ok ? 'succeeded' : 'failed',
      message: invocation.ok
        ? `${result?.status ?? 'done'}${result?.loadedFiles === undefined ? '' : `: ${result.loadedFiles} new file(s) loaded`}`
        : `${invocation.error.errorMessage} (after ${attempts} attempt(s); Lambda sends the event to the function's OnFailure destination, the dead-letter queue)`,
      polls: 0,
      attributes: Object.fromEntries(Object.entries(result?.counts ?? {}).map(([key, value]) => [key, String(value)])),
      stackStatus: 'CREATE_COMPLETE',
      simulatedSeconds: round((this.clock.now() - startedSimulated) / 1000),
      realSeconds: round((Date.now() - startedReal) / 1000),
      tables: await this.snapshot(),
      ...(day ? { dayAdded: day.day } : {}),
      ...(clusterStatus ? { clusterStatus } : {}),
    };
    this.stepsDone.push(step);
    this.progress(`${name}: ${step.outcome}: ${step.message}`);
  }

  /** Create, the scheduled runs, Update, Delete, as a deploy, the schedule and a destroy would run them. */
  async steps(): Promise<Omit<RehearsalReport, 'workDir'>> {
    const properties = this.plan.load.properties;
    const faultName = this.options.fault;
    let status = 'CREATE_IN_PROGRESS';
    let attributes: Readonly<Record<string, string>> = {};
    let succeeded = true;

    const create = await this.loadStep('create', { requestType: 'Create', properties }, { succeeded: 'CREATE_COMPLETE', failed: 'ROLLBACK_IN_PROGRESS' }, this.faultOn === 'create' ? faultName : undefined);
    if (create.response.status === 'FAILED') {
      succeeded = false;
      // The rollback deletes what the failed Create made, with the physical id it answered.
      const rollback = await this.loadStep(
        'create-rollback',
        { requestType: 'Delete', properties, physicalResourceId: create.response.physicalResourceId },
        { succeeded: 'ROLLBACK_COMPLETE', failed: 'ROLLBACK_FAILED' },
      );
      status = rollback.step.stackStatus;
      return this.report(status, attributes, succeeded);
    }
    attributes = create.response.data;
    status = 'CREATE_COMPLETE';
    let physicalId = create.response.physicalResourceId;

    const scheduled = this.plan.scheduled;
    if (scheduled) {
      const period = schedulePeriodMs(scheduled.scheduleExpression);
      const ruleArn = `arn:aws:events:${this.identity.region}:${this.identity.account}:rule/${this.plan.stackName}-${scheduled.ruleLogicalId}`;
      let nextRun = this.clock.now() + period;
      for (let index = 1; index <= Math.max(0, this.options.runs ?? DEFAULT_SCHEDULED_RUNS); index += 1) {
        await this.clock.until(nextRun);
        await this.scheduledRun(index, ruleArn);
        nextRun += period;
      }
    }

    // The analysts query the stack as deployed: after the Create and the scheduled runs, before the Update.
    this.analysts = await this.analystQueries(this.stepsDone.at(-1)?.name ?? 'create');

    if (faultName && this.faultOn === 'update') await this.injectFaults(this.fault());
    const updated = { ...properties, SqlHash: `${String(properties.SqlHash)}:rehearsal-update` };
    const update = await this.loadStep(
      'update',
      { requestType: 'Update', properties: updated, oldProperties: properties, physicalResourceId: physicalId },
      { succeeded: 'UPDATE_COMPLETE', failed: 'UPDATE_ROLLBACK_IN_PROGRESS' },
      this.faultOn === 'update' ? faultName : undefined,
    );
    if (update.response.status === 'FAILED') {
      succeeded = false;
      // CloudFormation rolls an Update back with another Update, to the old properties.
      const rollback = await this.loadStep(
        'update-rollback',
        { requestType: 'Update', properties, oldProperties: updated, physicalResourceId: physicalId },
        { succeeded: 'UPDATE_ROLLBACK_COMPLETE', failed: 'UPDATE_ROLLBACK_FAILED' },
      );
      status = rollback.step.stackStatus;
      if (rollback.response.status === 'SUCCESS') attributes = rollback.response.data;
    } else {
      status = 'UPDATE_COMPLETE';
      attributes = update.response.data;
      if (update.response.physicalResourceId !== physicalId) {
        // A new physical id is a replacement: CloudFormation deletes the old resource in its clean-up.
        await this.loadStep('update-cleanup', { requestType: 'Delete', properties, physicalResourceId: physicalId }, { succeeded: 'UPDATE_COMPLETE', failed: 'UPDATE_COMPLETE' });
        physicalId = update.response.physicalResourceId;
      }
    }

    const remove = await this.loadStep(
      'delete',
      { requestType: 'Delete', properties: status === 'UPDATE_COMPLETE' ? updated : properties, physicalResourceId: physicalId },
      { succeeded: 'DELETE_COMPLETE', failed: 'DELETE_FAILED' },
    );
    if (remove.response.status === 'FAILED') succeeded = false;
    status = remove.step.stackStatus;
    return this.report(status, attributes, succeeded);
  }

  private async report(status: string, attributes: Readonly<Record<string, string>>, succeeded: boolean): Promise<Omit<RehearsalReport, 'workDir'>> {
    const snapshot = await this.snapshot();
    const tables = Object.fromEntries(TABLES.map((table) => [table, snapshot[table] ?? 0])) as Record<TableName, number>;
    const [matched] =
      snapshot.songplays === undefined ? [{ n: 0 }] : await this.dataApi.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${warehouseTable('songplays')} WHERE song_id IS NOT NULL`);
    return {
      tables,
      matchedSongplays: Number(matched?.n ?? 0),
      attributes,
      steps: this.stepsDone,
      succeeded,
      analystsAccess: await this.accessOf(ANALYSTS_DATABASE_ROLE, Object.keys(snapshot)),
      ...(this.analysts ? { analysts: this.analysts } : {}),
      stack: {
        name: this.plan.stackName,
        status,
        warehouse: this.plan.warehouse.kind,
        account: this.identity.account,
        region: this.identity.region,
        environmentAgnostic: this.identity.environmentAgnostic,
      },
      dataApiCalls: countBy(this.allCalls().map((call) => call.operation)),
      callers: [...new Set(this.allCalls().map((call) => call.caller))].map((role) => {
        const calls = this.allCalls().filter((call) => call.caller === role);
        return { role, calls: calls.length, databaseUsers: [...new Set(calls.flatMap((call) => (call.databaseUser ? [call.databaseUser] : [])))] };
      }),
      functions: this.fleet.all().map((sandbox: LambdaSandbox) => ({
        name: sandbox.spec.functionName,
        role: sandbox.spec.roleName,
        bundle: sandbox.spec.assetDir,
        invocations: sandbox.invocations,
        coldStarts: sandbox.coldStarts,
        log: sandbox.logPath,
      })),
      dataDir: this.dataDir,
    };
  }

  /** Whether `role` may read each table: `read`, or the database's refusal (a missing role or grant fails here as on Redshift). */
  private async accessOf(role: string, tables: readonly string[]): Promise<Record<string, string>> {
    const access: Record<string, string> = {};
    for (const table of tables) {
      try {
        await this.dataApi.query(`SELECT COUNT(*) AS n FROM ${warehouseTable(table)}`, role);
        access[table] = 'read';
      } catch (error) {
        access[table] = (error as Error).message;
      }
    }
    return access;
  }

  /** Every Data API call answered, over every stand-in of the rehearsal. */
  allCalls(): StandInCall[] {
    return [...this.earlierCalls, ...(this.dataApi?.calls ?? [])];
  }

  async close(): Promise<void> {
    await this.fleet?.stop();
    await this.dataApi?.close();
    await this.s3?.close();
    await this.redshift?.close();
  }
}

/**
 * Makes `dir` a new, empty PGlite database: a copy of one made once per machine and
 * PGlite version (PGlite's initdb takes seconds; a copy of its result, a fraction).
 */
export async function newPgliteFolder(dir: string): Promise<void> {
  const version = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }).version;
  const cache = path.join(tmpdir(), 'sparkify-rehearsal-cache', `pglite-${version}-empty`);
  if (!existsSync(cache)) {
    const making = `${cache}.${process.pid}.${randomUUID()}`;
    mkdirSync(path.dirname(cache), { recursive: true });
    const pglite = await PGlite.create(making);
    await pglite.close();
    try {
      renameSync(making, cache);
    } catch {
      // Another rehearsal made it first.
      rmSync(making, { recursive: true, force: true });
    }
  }
  cpSync(cache, dir, { recursive: true });
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

function sameSnapshot(before: TableSnapshot, after: TableSnapshot): boolean {
  return JSON.stringify(Object.entries(before).sort()) === JSON.stringify(Object.entries(after).sort());
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
