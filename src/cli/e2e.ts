import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DataApi } from '../../lambda/data-api';
import { runE2e } from '../aws/e2e';
import { ensureDefaultSample } from '../generate/sample';
import { openPglite } from '../local/database';
import { localCopySource, runLocalEtl } from '../local/runner';
import { buildLoadPlan } from '../sql/plan';
import { readSqlFiles } from '../sql/sql-files';
import { runCli } from './run-cli';

const HELP = `Usage: npm run e2e -- [--stack-name NAME]

For a user with an AWS account (never part of npm test). Deploys the sampleData variant
to a throwaway stack (default SparkifyE2E-<time>, with destroyOnDelete), reads the row
counts through the Redshift Data API, compares them with what npm run local gives on
the same generated sample, and destroys the stack, also when something failed. Needs
credentials and a bootstrapped account (npm run preflight -- --sample-data true).

Cost: one single-node ra3.large cluster for the 15-30 minutes the deploy, the check and
the destroy take (about $0.30 at us-east-1 list prices), plus a few Lambda runs.

Exit code 0 when the counts match, 1 when they differ or a step failed.`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'stack-name': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const stackName = values['stack-name'] ?? `SparkifyE2E-${Date.now()}`;
  const work = mkdtempSync(path.join(tmpdir(), 'sparkify-e2e-'));
  try {
    const result = await runE2e(
      {
        run: (command, commandArgs) =>
          new Promise((resolve, reject) => {
            spawn(command, [...commandArgs], { stdio: 'inherit' }).on('close', (code) =>
              code === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.slice(0, 2).join(' ')} exited with ${code}`)),
            );
          }),
        readOutputs: (file) => JSON.parse(readFileSync(file, 'utf8')),
        localCounts: async () => {
          const engine = await openPglite(path.join(work, 'db'));
          try {
            const report = await runLocalEtl(engine, { dataDir: await ensureDefaultSample() });
            return { ...report.tables, matched_songplays: report.matchedSongplays };
          } finally {
            await engine.close();
          }
        },
        dataApi: new DataApi(),
        summarySql: buildLoadPlan(readSqlFiles(), localCopySource(0)).filter((statement) => statement.kind === 'summary')[0].sql,
        log: (line) => console.error(line),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      stackName,
      path.join(work, 'outputs.json'),
    );
    console.log(JSON.stringify(result, null, 2));
    return result.differences.length === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

runCli(main, HELP);
