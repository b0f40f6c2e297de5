import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { readAnalyticsQueries } from '../analytics/queries';
import { runRemoteQuery } from '../analytics/remote-query';
import { explainAwsError } from '../aws/explain-error';
import { DEFAULT_STACK_NAME } from '../aws/stack-name';
import { analystAccessOf, analystDataApi, readStackOutputs } from '../aws/stack-outputs';
import { SECTIONS } from '../analytics/sections';
import { formatTable } from '../text-table';
import { defineCommand, regionOption, regionOrEnvironment, type OptionValues } from './options';
import { UsageError, runCli } from './run-cli';

const names = () => readAnalyticsQueries().map((query) => query.name);
/** What each query answers, as the report titles it. */
const TITLES = new Map<string, string>([['overview', 'the headline: plays, users, paid, matched to the catalogue, period'], ...SECTIONS.map((section): [string, string] => [section.query, section.title.toLowerCase()])]);
const QUERY = defineCommand({
  usage: 'Usage: npm run query -- --name NAME [--stack STACK] [--region REGION]',
  about: `Runs one analytics query of sql/analytics/ on a deployed warehouse through the Redshift
Data API, as an analyst: it assumes the stack's analysts' role (output AnalystRoleArn),
whose database user reads the tables through the database role analysts, and reaches
the cluster or Serverless workgroup the outputs name with that IAM identity (no
secret). Prints the result as a table. Needs AWS credentials allowed to assume the role.
The same SQL makes npm run report's sections locally; songs and artists are counted
over all plays, by the title and artist the app logged.`,
  beforeOptions: `Queries (--name):
${names()
  .map((name) => `  ${name.padEnd(20)}  ${TITLES.get(name) ?? 'see sql/analytics/'}`)
  .join('\n')}`,
  options: {
    name: { type: 'string', value: 'NAME', help: 'the query, one of the above' },
    stack: { type: 'string', value: 'STACK', help: 'the deployed stack', default: DEFAULT_STACK_NAME },
    region: regionOption('its region'),
  },
});

async function main(values: OptionValues<typeof QUERY.options>): Promise<number> {
  const query = readAnalyticsQueries().find((candidate) => candidate.name === values.name);
  if (!query) throw new UsageError(`--name must be one of: ${names().join(', ')}`);
  const region = regionOrEnvironment(values.region);
  const stackName = values.stack;
  let roleArn: string | undefined;
  const rows = await (async () => {
    const access = analystAccessOf(await readStackOutputs(new CloudFormationClient({ region }), stackName), stackName);
    roleArn = access.roleArn;
    return runRemoteQuery(await analystDataApi(access.roleArn, region), access.target, query.sql, (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  })().catch((error: unknown) => {
    throw new Error(explainAwsError(error, { stackName, region, roleArn }));
  });
  const columns = Object.keys(rows[0] ?? {});
  console.log(`${query.question}\n\n${formatTable(columns, rows.map((row) => columns.map((column) => String(row[column] ?? ''))))}`);
  return 0;
}

runCli(QUERY, main);
