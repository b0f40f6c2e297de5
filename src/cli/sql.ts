import { parseArgs } from 'node:util';
import { ROLE_ARN_PLACEHOLDER, deployStatements, scheduledRunStatements } from './deploy-statements';
import { splitIntoBatches } from '../sql/batches';
import { CONTEXT_OPTIONS, CONTEXT_OPTIONS_HELP, contextFromOptions } from './context-options';
import { UsageError, runCli } from './run-cli';

const HELP = `Usage: npm run sql -- [options] [--scheduled-run] [--role-arn ARN] [--json]

Prints the exact statements the deploy's load sends to Redshift, in order, as one SQL
script with a "-- batch N" line before each Data API batch (each batch is one
transaction). It synthesizes the stack with the same settings as \`cdk deploy -c ...\`
and reads the statements from the custom resource, so what you review is what runs.
Values only known at deploy time are shown as placeholders that keep the SQL valid:
the COPY role as 'arn:aws:iam::<account>:role/<copy-role>' (or --role-arn), the
sample bucket as <sample-bucket>, the stack's region as <region>.

With --scheduled-run it prints instead what one scheduled load sends when it found new
files of both kinds, built from the scheduled function's settings in the same template
(the runs bucket shown as <runs-bucket>, the run's folder as runs/<request-id>); a
run that found no new file of a kind leaves out that kind's COPY.

Options (the app's context keys):
${CONTEXT_OPTIONS_HELP}
  --scheduled-run             print a scheduled run's statements (with --schedule, or rate(1 hour))
  --role-arn ARN              show this COPY role ARN instead of the placeholder
  --json                      print only {"batches":[["<statement>", ...], ...]}
  -h, --help                  show this help`;

async function main(args: string[]): Promise<number> {
  const { values: parsed } = parseArgs({
    args,
    options: {
      ...CONTEXT_OPTIONS,
      'role-arn': { type: 'string' },
      'scheduled-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const roleArn = (values['role-arn'] as string | undefined) ?? ROLE_ARN_PLACEHOLDER;
  if (/[\s']/.test(roleArn)) throw new UsageError('--role-arn cannot contain spaces or quotes');
  const statements = values['scheduled-run'] ? scheduledRunStatements : deployStatements;
  const batches = splitIntoBatches(await statements(contextFromOptions(values), roleArn));
  if (values.json) {
    console.log(JSON.stringify({ batches }));
    return 0;
  }
  console.log(batches.map((batch, index) => [`-- batch ${index + 1}`, ...batch].join('\n\n')).join('\n\n'));
  return 0;
}

runCli(main, HELP);
