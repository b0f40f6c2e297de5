import { aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import type { SparkifyStackProps } from './sparkify-stack';
import { DEFAULT_STACK_NAME } from '../src/aws/stack-name';
import { ACTIVE_DAYS, activeHoursProblem, parseActiveHours, type ActiveDays } from '../src/aws/pause-schedule';
import { isRa3NodeType, RA3_NODE_TYPES, WAREHOUSE_SIZE_DEFAULTS } from '../src/aws/redshift-capacity';
import type { UsageLimit, UsageLimitBreachAction } from './serverless-usage-limit';
import { PUBLIC_DATASET } from './source';

const USAGE_LIMIT_PERIODS = ['daily', 'weekly', 'monthly'] as const;
const BREACH_ACTIONS = ['log', 'emit-metric', 'deactivate'] as const satisfies readonly UsageLimitBreachAction[];

/** The CDK context keys the app reads (`cdk deploy -c key=value`), with what each sets. */
export const CONTEXT_KEYS = {
  stackName: `the stack name (default ${DEFAULT_STACK_NAME})`,
  serverless: 'true: Redshift Serverless instead of a provisioned cluster (default false)',
  sampleData: 'true: deploy the generated sample into a bucket of the stack and load it (default false)',
  sourceBucket: `source bucket (default ${PUBLIC_DATASET.bucket})`,
  sourceRegion: `source bucket region (default ${PUBLIC_DATASET.region})`,
  songPrefix: `song files key prefix (default ${PUBLIC_DATASET.songPrefix})`,
  logPrefix: `log files key prefix (default ${PUBLIC_DATASET.logPrefix})`,
  jsonPathsKey: `JSONPaths file key (default ${PUBLIC_DATASET.jsonPathsKey})`,
  nodeType: `provisioned node type (default ${WAREHOUSE_SIZE_DEFAULTS.nodeType})`,
  numberOfNodes: `provisioned node count (default ${WAREHOUSE_SIZE_DEFAULTS.numberOfNodes})`,
  baseCapacity: `Serverless base RPUs (default ${WAREHOUSE_SIZE_DEFAULTS.baseCapacity})`,
  maxCapacity: `Serverless RPU ceiling, a multiple of 8 (default ${WAREHOUSE_SIZE_DEFAULTS.maxCapacityPerBase} × base)`,
  usageLimitRpuHours: 'Serverless: RPU-hours allowed per usageLimitPeriod (default no limit)',
  usageLimitPeriod: `with usageLimitRpuHours: ${USAGE_LIMIT_PERIODS.join(', ')} (default monthly)`,
  usageLimitBreachAction: `with usageLimitRpuHours: ${BREACH_ACTIONS.join(', ')} (default deactivate: queries off until the period ends)`,
  activeHours: "provisioned: UTC hours the cluster runs, e.g. '7-19'; paused the rest of the time (default always on)",
  activeDays: `with activeHours: ${ACTIVE_DAYS.join(' or ')} (default weekdays)`,
  maxErrors: 'records each COPY may reject (default 0)',
  destroyOnDelete: 'true: cdk destroy deletes the data too (default false)',
  schedule: "also load new files on this schedule, e.g. 'rate(1 hour)' or 'cron(0 6 * * ? *)' (default none)",
  notificationEmail: 'with schedule: email told of failed scheduled loads (default none)',
  analystPrincipals: 'comma-separated IAM role, user or account ARNs that may assume the analyst role (default this account)',
  analystBastion: "true: an EC2 instance and Session Manager endpoints through which the analysts' role forwards a port to the warehouse (default false)",
} as const;

/** `rate(1 <unit>)`, `rate(<n> <units>)` or `cron(<six fields>)`, as EventBridge takes them. */
const SCHEDULE_EXPRESSION = /^(rate\(1 (minute|hour|day)\)|rate\(([2-9]|[1-9]\d+) (minutes|hours|days)\)|cron\(\S+( \S+){5}\))$/;

/** The app's settings, read from CDK context. */
export interface AppConfig {
  readonly stackName: string;
  readonly sampleData: boolean;
  readonly props: Omit<SparkifyStackProps, 'sampleDataDir'>;
}

/**
 * Reads the app's settings from CDK context values (strings on the command line, JSON
 * values in cdk.json), refusing unknown keys' misspellings of known ones and bad values.
 * @param context the value of each known key, as `node.tryGetContext` gives it
 */
export function readAppConfig(context: (key: string) => unknown): AppConfig {
  const text = (key: keyof typeof CONTEXT_KEYS) => {
    const value = context(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const flag = (key: keyof typeof CONTEXT_KEYS) => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw new Error(`-c ${key}= must be true or false, got "${value}"`);
    return value === 'true';
  };
  const whole = (key: keyof typeof CONTEXT_KEYS) => {
    const value = text(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`-c ${key}= must be a whole number, got "${value}"`);
    return Number(value);
  };
  const nodeType = text('nodeType');
  if (nodeType !== undefined && !isRa3NodeType(nodeType)) {
    throw new Error(`-c nodeType= must be an ra3 node type (${RA3_NODE_TYPES.join(', ')}), got "${nodeType}"`);
  }
  const schedule = text('schedule');
  if (schedule !== undefined && !SCHEDULE_EXPRESSION.test(schedule)) {
    throw new Error(`-c schedule= must be an EventBridge schedule such as 'rate(1 hour)' or 'cron(0 6 * * ? *)', got "${schedule}"`);
  }
  const analystPrincipals = text('analystPrincipals')?.split(',').map((arn) => arn.trim());
  for (const arn of analystPrincipals ?? []) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/.test(arn)) {
      throw new Error(`-c analystPrincipals= takes IAM role, user or account root ARNs, comma-separated; got "${arn}"`);
    }
  }
  const oneOf = <T extends string>(key: keyof typeof CONTEXT_KEYS, values: readonly T[]): T | undefined => {
    const value = text(key);
    if (value !== undefined && !(values as readonly string[]).includes(value)) throw new Error(`-c ${key}= must be one of ${values.join(', ')}, got "${value}"`);
    return value as T | undefined;
  };
  const rpuHours = whole('usageLimitRpuHours');
  const period = oneOf('usageLimitPeriod', USAGE_LIMIT_PERIODS);
  const breachAction = oneOf('usageLimitBreachAction', BREACH_ACTIONS);
  if (rpuHours === undefined && (period || breachAction)) throw new Error('-c usageLimitPeriod= and usageLimitBreachAction= need -c usageLimitRpuHours=');
  const usageLimit: UsageLimit | undefined = rpuHours === undefined ? undefined : { rpuHours, period: period ?? 'monthly', ...(breachAction ? { breachAction } : {}) };
  const activeDays = oneOf<ActiveDays>('activeDays', ACTIVE_DAYS);
  const activeHoursText = text('activeHours');
  if (activeHoursText === undefined && activeDays) throw new Error('-c activeDays= needs -c activeHours=');
  const activeHours = activeHoursText === undefined ? undefined : parseActiveHours(activeHoursText, activeDays);
  if (activeHoursText !== undefined && (!activeHours || activeHoursProblem(activeHours))) {
    throw new Error(`-c activeHours= must be FROM-TO in whole UTC hours, FROM before TO, e.g. '7-19'; got "${activeHoursText}"`);
  }
  const notificationEmail = text('notificationEmail');
  if (notificationEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(notificationEmail)) {
    throw new Error(`-c notificationEmail= must be an email address, got "${notificationEmail}"`);
  }
  return {
    stackName: text('stackName') ?? DEFAULT_STACK_NAME,
    sampleData: flag('sampleData') ?? false,
    props: {
      serverless: flag('serverless'),
      source: {
        bucket: text('sourceBucket'),
        region: text('sourceRegion'),
        songPrefix: text('songPrefix'),
        logPrefix: text('logPrefix'),
        jsonPathsKey: text('jsonPathsKey'),
      },
      nodeType,
      numberOfNodes: whole('numberOfNodes'),
      baseCapacity: whole('baseCapacity'),
      maxCapacity: whole('maxCapacity'),
      usageLimit,
      activeHours,
      maxErrors: whole('maxErrors'),
      destroyOnDelete: flag('destroyOnDelete'),
      schedule: schedule === undefined ? undefined : events.Schedule.expression(schedule),
      notificationEmail,
      analystPrincipals: analystPrincipals?.map((arn) => new iam.ArnPrincipal(arn)),
      analystBastion: flag('analystBastion'),
    },
  };
}
