import { parseArgs } from 'node:util';
import { CONTEXT_KEYS } from '../../lib/app-config';
import { FAULTS, rehearse, RehearsalUsageError, type FaultName, type RehearsalOptions } from '../rehearsal/rehearse';
import { rehearsalJson, rehearsalText } from '../rehearsal/report-format';
import { UsageError, runCli, wholeNumber } from './run-cli';

const HELP = `Usage: npm run rehearse -- [-c key=value ...] [--data DIR] [--database-url URL] [--json]

Rehearses \`cdk deploy\` on this machine, with no AWS account: synthesizes the app with
the given context (as cdk deploy -c ...), reads the load's custom resource and the
Lambda functions behind it from the template, and runs their bundles from cdk.out as
CloudFormation and the Provider framework would: Create, then (with -c schedule=...)
scheduled runs as EventBridge would invoke them, an Update that changes SqlHash, and a
Delete. Before the Update, the analysts' IAM role (output AnalystRoleArn) runs every
query of sql/analytics/ through the Data API with its own identity, no secret. The
Redshift Data API and S3 are local stand-ins: statements run on PGlite (or
--database-url) as the caller's database user (an IAM identity's gets the database
roles its RedshiftDbRoles tag lists), buckets are folders. The Provider's waits between
isComplete calls are skipped on a simulated clock the handlers read.

Options:
  -c, --context KEY=VALUE   an app setting, as cdk deploy -c takes it; keys:
                            ${Object.keys(CONTEXT_KEYS).join(', ')}
  --data DIR                the folder standing for the source bucket (song_data/,
                            log_data/, log_json_path.json); default with
                            -c sampleData=true: the sample the synth deploys
  --database-url URL        run the warehouse on this Postgres database (the load drops
                            and rebuilds its tables) instead of a temporary PGlite
  --fault KIND              make the deploy's load fail, to see how the stack reacts:
                            statement-fails (a transform statement fails), aborted (the
                            batch ends ABORTED), throttled (DescribeStatement answers
                            ThrottlingException 8 times: the deploy must still succeed),
                            timeout (the batch never finishes: it must be cancelled)
  --fault-on create|update  which request of the load the fault hits (default update,
                            so the warehouse holds the first load when it fails)
  --first-days N            with a schedule: days of event logs in the bucket before the
                            deploy (default 1); the other days arrive one per run
  --runs N                  with a schedule: scheduled runs after the deploy (default 3)
  --region REGION           AWS::Region of the environment-agnostic stack (default us-west-2)
  --env aws://ACCOUNT/REGION  synthesize for this environment instead
  --keep DIR                keep cdk.out, the functions' logs and the warehouse in DIR
  --json                    print only one JSON object:
                            {"tables":{...},"matchedSongplays":n,"attributes":{...},"steps":[...]}
  -h, --help                show this help

Exit codes: 0 every step and every analysts' query succeeded; 1 the deploy (or a
scheduled run) would fail, an analysts' query failed, or the rehearsal could not run;
2 bad options.`;

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

function parseOptions(args: string[]): { options: RehearsalOptions; json: boolean } | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      data: { type: 'string' },
      'database-url': { type: 'string' },
      fault: { type: 'string' },
      'fault-on': { type: 'string' },
      'first-days': { type: 'string' },
      runs: { type: 'string' },
      region: { type: 'string' },
      env: { type: 'string' },
      keep: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const fault = values.fault;
  if (fault !== undefined && !(FAULTS as readonly string[]).includes(fault)) throw new UsageError(`--fault must be one of ${FAULTS.join(', ')}, got "${fault}"`);
  const faultOn = values['fault-on'];
  if (faultOn !== undefined && faultOn !== 'create' && faultOn !== 'update') throw new UsageError(`--fault-on must be create or update, got "${faultOn}"`);
  if (faultOn !== undefined && fault === undefined) throw new UsageError('--fault-on needs --fault');
  const databaseUrl = values['database-url'];
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError('--database-url needs a postgres://… URL');
  if (values.data === '' || values.keep === '') throw new UsageError('--data and --keep need a folder');
  let env: RehearsalOptions['env'];
  if (values.env !== undefined) {
    const match = /^aws:\/\/(\d{12})\/([a-z]{2}(-[a-z]+)+-\d)$/.exec(values.env);
    if (!match) throw new UsageError(`--env needs aws://ACCOUNT/REGION (a 12-digit account), got "${values.env}"`);
    if (values.region !== undefined) throw new UsageError('--env names the region already: leave out --region');
    env = { account: match[1], region: match[2] };
  }
  if (values.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(values.region)) throw new UsageError(`--region needs an AWS region such as us-west-2, got "${values.region}"`);
  return {
    json: values.json,
    options: {
      context: contextFromPairs(values.context),
      dataDir: values.data,
      databaseUrl,
      env,
      region: values.region,
      fault: fault as FaultName | undefined,
      faultOn: faultOn as 'create' | 'update' | undefined,
      firstDays: values['first-days'] === undefined ? undefined : wholeNumber('--first-days', values['first-days']),
      runs: values.runs === undefined ? undefined : wholeNumber('--runs', values.runs),
      workDir: values.keep,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    },
  };
}

async function main(args: string[]): Promise<number> {
  const parsed = parseOptions(args);
  if (parsed === 'help') {
    console.log(HELP);
    return 0;
  }
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

runCli(main, HELP);
