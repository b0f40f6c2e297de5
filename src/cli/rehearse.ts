import { CONTEXT_KEYS } from '../../lib/app-config';
import { DEFAULT_FIRST_DAYS, DEFAULT_REGION, DEFAULT_SCHEDULED_RUNS, FAULTS, rehearse, RehearsalUsageError, type FaultName, type RehearsalOptions } from '../rehearsal/rehearse';
import { rehearsalJson, rehearsalText } from '../rehearsal/report-format';
import { databaseUrlOption, defineCommand, folder, type OptionValues } from './options';
import { UsageError, runCli } from './run-cli';

const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

const REHEARSE = defineCommand({
  usage: 'Usage: npm run rehearse -- [-c key=value ...] [--data DIR] [--database-url URL] [--json]',
  about: `Rehearses \`cdk deploy\` on this machine, with no AWS account: synthesizes the app with
the given context (as cdk deploy -c ...), reads the load's custom resource and the
Lambda functions behind it from the template, and runs their bundles from cdk.out as
CloudFormation and the Provider framework would: Create, then (with -c schedule=...)
scheduled runs as EventBridge would invoke them, an Update that changes SqlHash, and a
Delete. Before the Update, the analysts' IAM role (output AnalystRoleArn) runs every
query of sql/analytics/ through the Data API with its own identity, no secret. The
Redshift Data API and S3 are local stand-ins: statements run on PGlite (or
--database-url) as the caller's database user (an IAM identity's gets the database
roles its RedshiftDbRoles tag lists), buckets are folders. The Provider's waits between
isComplete calls are skipped on a simulated clock the handlers read.`,
  options: {
    context: {
      type: 'string',
      short: 'c',
      multiple: true,
      value: 'KEY=VALUE',
      help: `an app setting, as cdk deploy -c takes it; keys: ${Object.keys(CONTEXT_KEYS).join(', ')}`,
    },
    data: {
      type: 'string',
      value: 'DIR',
      help: 'the folder standing for the source bucket (song_data/, log_data/, log_json_path.json)',
      defaultHelp: 'with -c sampleData=true: the sample the synth deploys',
      check: folder,
    },
    'database-url': databaseUrlOption('run the warehouse on this Postgres database (the load drops and rebuilds its tables) instead of a temporary PGlite'),
    fault: {
      type: 'string',
      value: 'KIND',
      help:
        'make the deploy\'s load fail, to see how the stack reacts: statement-fails (a transform statement fails), aborted (the batch ends ABORTED), ' +
        'throttled (DescribeStatement answers ThrottlingException 8 times: the deploy must still succeed), timeout (the batch never finishes: it must be cancelled)',
      check: (value) => ((FAULTS as readonly string[]).includes(value) ? undefined : `must be one of ${FAULTS.join(', ')}`),
    },
    'fault-on': {
      type: 'string',
      value: 'create|update',
      help: 'which request of the load the fault hits; update, so the warehouse holds the first load when it fails',
      defaultHelp: 'update',
      check: (value) => (value === 'create' || value === 'update' ? undefined : 'must be create or update'),
    },
    'first-days': {
      type: 'whole',
      value: 'N',
      help: 'with a schedule: days of event logs in the bucket before the deploy; the other days arrive one per run',
      defaultHelp: String(DEFAULT_FIRST_DAYS),
    },
    runs: { type: 'whole', value: 'N', help: 'with a schedule: scheduled runs after the deploy', defaultHelp: String(DEFAULT_SCHEDULED_RUNS) },
    region: {
      type: 'string',
      value: 'REGION',
      help: 'AWS::Region of the environment-agnostic stack',
      defaultHelp: DEFAULT_REGION,
      check: (value) => (AWS_REGION_PATTERN.test(value) ? undefined : 'needs an AWS region such as us-west-2'),
    },
    env: { type: 'string', value: 'aws://ACCOUNT/REGION', help: 'synthesize for this environment instead' },
    keep: { type: 'string', value: 'DIR', help: "keep cdk.out, the functions' logs and the warehouse in DIR", check: folder },
    json: { type: 'boolean', help: 'print only one JSON object: {"tables":{...},"matchedSongplays":n,"attributes":{...},"steps":[...]}' },
  },
  footer: `Exit codes: 0 every step and every analysts' query succeeded; 1 the deploy (or a
scheduled run) would fail, an analysts' query failed, or the rehearsal could not run;
2 bad options.`,
});

/** `-c key=value` options as context, refusing unknown keys. */
function contextFromPairs(pairs: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`-c needs key=value, got "${pair}"`);
    const key = pair.slice(0, equals);
    if (!(key in CONTEXT_KEYS)) throw new UsageError(`-c ${key}: not a setting of the app (${Object.keys(CONTEXT_KEYS).join(', ')})`);
    context[key] = pair.slice(equals + 1);
  }
  return context;
}

/** The rehearsal's options from the command's, checked together. */
function rehearsalOptions(values: OptionValues<typeof REHEARSE.options>): RehearsalOptions {
  if (values['fault-on'] !== undefined && values.fault === undefined) throw new UsageError('--fault-on needs --fault');
  let env: RehearsalOptions['env'];
  if (values.env !== undefined) {
    const match = new RegExp(`^aws://(\\d{12})/(${AWS_REGION_PATTERN.source.slice(1, -1)})$`).exec(values.env);
    if (!match) throw new UsageError(`--env needs aws://ACCOUNT/REGION (a 12-digit account), got "${values.env}"`);
    if (values.region !== undefined) throw new UsageError('--env names the region already: leave out --region');
    env = { account: match[1], region: match[2] };
  }
  return {
    context: contextFromPairs(values.context),
    dataDir: values.data,
    databaseUrl: values['database-url'],
    env,
    region: values.region,
    fault: values.fault as FaultName | undefined,
    faultOn: values['fault-on'] as 'create' | 'update' | undefined,
    firstDays: values['first-days'],
    runs: values.runs,
    workDir: values.keep,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  };
}

async function main(values: OptionValues<typeof REHEARSE.options>): Promise<number> {
  const parsed = { options: rehearsalOptions(values), json: values.json };
  try {
    const report = await rehearse(parsed.options);
    console.log(parsed.json ? rehearsalJson(report) : rehearsalText(report));
    const analystsFailed = (report.analysts?.failed.length ?? 0) > 0;
    return report.steps.every((step) => step.outcome === 'succeeded') && !analystsFailed ? 0 : 1;
  } catch (error) {
    if (error instanceof RehearsalUsageError) throw new UsageError(error.message);
    throw error;
  }
}

runCli(REHEARSE, main);
