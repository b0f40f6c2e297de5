import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LOCAL_LOADING, localReader } from '../analytics/queries';
import { dataApiReader } from '../analytics/remote-query';
import { buildReport, emptyReport } from '../analytics/report';
import { analystAccessOf, analystDataApi, readStackOutputs } from '../aws/stack-outputs';
import { withWarehouse } from '../local/local-warehouse';
import { defineCommand, folder, regionOption, regionOrEnvironment, warehouseLocation, warehouseOptions, type OptionValues } from './options';
import { UsageError, runCli } from './run-cli';

const REPORT = defineCommand({
  usage: 'Usage: npm run report -- [--db DIR | --database-url URL | --stack NAME [--region R]] [--out DIR]',
  about: `Runs the analytics queries of sql/analytics/ on the local warehouse (or, with --stack,
on the deployed one) and writes a
self-contained report.html (no network needed to open it): the headline figures
(plays, users, paid share, free-to-paid upgrades, how many plays matched the song
catalogue, busiest hour and day, the period), then a section per question with its
chart and table, and the star schema drawn from sql/03_create_star.sql. A warehouse
with no plays (or no warehouse yet) gets a page saying nothing is loaded yet.`,
  options: {
    ...warehouseOptions({ db: 'the PGlite warehouse, as npm run local', databaseUrl: 'a Postgres server warehouse instead' }),
    stack: {
      type: 'string',
      value: 'NAME',
      help: "the deployed warehouse of this stack instead, read through the Data API as an analyst (it assumes the stack's AnalystRoleArn, whose database user holds the role analysts; no secret)",
    },
    region: regionOption("the stack's region"),
    out: { type: 'string', value: 'DIR', help: 'where to write report.html', default: path.join('.sparkify', 'report'), check: folder },
  },
});

async function main(values: OptionValues<typeof REPORT.options>): Promise<number> {
  if (values.stack && (values.db !== undefined || values['database-url'] !== undefined)) throw new UsageError('--db, --database-url and --stack exclude each other');
  if (values.stack) return write(values.out, await deployedReport(values.stack, regionOrEnvironment(values.region)));
  const location = warehouseLocation(values);
  // No warehouse folder yet: say so in the page, without creating an empty warehouse there.
  const dbDir = 'dbDir' in location ? location.dbDir : undefined;
  const missing = dbDir !== undefined && !existsSync(dbDir);
  if (missing) console.error(`No warehouse at ${dbDir} yet: the report says nothing is loaded (npm run local builds it).`);
  const html = missing ? await emptyReport(LOCAL_LOADING) : await withWarehouse(location, (engine) => buildReport(localReader(engine.db)));
  return write(values.out, html);
}

/** The report of a deployed warehouse, read as an analyst. */
async function deployedReport(stackName: string, region: string | undefined): Promise<string> {
  const { roleArn, target } = analystAccessOf(await readStackOutputs(new CloudFormationClient({ region }), stackName), stackName);
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return buildReport(dataApiReader(await analystDataApi(roleArn, region), target, sleep));
}

function write(folder: string, html: string): number {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'report.html');
  writeFileSync(file, html);
  console.log(`Wrote ${file}`);
  return 0;
}

runCli(REPORT, main);
