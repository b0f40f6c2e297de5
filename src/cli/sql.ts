import { ROLE_ARN_PLACEHOLDER, RUN_PLACEHOLDER, deployStatements, scheduledRunStatements } from './deploy-statements';
import { splitIntoBatches } from '../sql/batches';
import { CONTEXT_OPTIONS, contextFromOptions } from './context-options';
import { defineCommand, type OptionValues } from './options';
import { runCli } from './run-cli';

const SQL = defineCommand({
  usage: 'Usage: npm run sql -- [options] [--scheduled-run] [--role-arn ARN] [--json]',
  about: `Prints the exact statements the deploy's load sends to Redshift, in order, as one SQL
script with a "-- batch N" line before each Data API batch (each batch is one
transaction). It synthesizes the stack with the same settings as \`cdk deploy -c ...\`
and reads the statements from the custom resource, so what you review is what runs.
Values only known at deploy time are shown as placeholders that keep the SQL valid:
the COPY role as '${ROLE_ARN_PLACEHOLDER}' (or --role-arn), the
sample bucket as <sample-bucket>, the stack's region as <region>.

With --scheduled-run it prints instead what one scheduled load sends when it found new
files of both kinds, built from the scheduled function's settings in the same template
(the runs bucket shown as <runs-bucket>, the run's folder as ${RUN_PLACEHOLDER}); a
run that found no new file of a kind leaves out that kind's COPY.

The options before --scheduled-run are the app's context keys.`,
  options: {
    ...CONTEXT_OPTIONS,
    'scheduled-run': { type: 'boolean', help: "print a scheduled run's statements (with --schedule, or rate(1 hour))" },
    'role-arn': {
      type: 'string',
      value: 'ARN',
      help: 'show this COPY role ARN instead of the placeholder',
      check: (value) => (/[\s']/.test(value) ? 'cannot contain spaces or quotes' : undefined),
    },
    json: { type: 'boolean', help: 'print only {"batches":[["<statement>", ...], ...]}' },
  },
});

async function main(values: OptionValues<typeof SQL.options>): Promise<number> {
  const roleArn = values['role-arn'] ?? ROLE_ARN_PLACEHOLDER;
  const statements = values['scheduled-run'] ? scheduledRunStatements : deployStatements;
  const batches = splitIntoBatches(await statements(contextFromOptions(values), roleArn));
  if (values.json) {
    console.log(JSON.stringify({ batches }));
    return 0;
  }
  console.log(batches.map((batch, index) => [`-- batch ${index + 1}`, ...batch].join('\n\n')).join('\n\n'));
  return 0;
}

runCli(SQL, main);
