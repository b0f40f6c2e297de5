import { spawn } from 'node:child_process';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataApi } from '../data-api/client';
import { runE2e, type ScheduledE2eDeps } from '../aws/e2e';
import { explainAwsError } from '../aws/explain-error';
import { DEFAULT_SAMPLE, ensureDefaultSample } from '../generate/sample';
import { logFile, writeSample } from '../generate/writer';
import { openPglite } from '../local/database';
import { runLocalEtl } from '../local/runner';
import { readSummarySql } from '../sql/summary';
import { defineCommand, type OptionValues } from './options';
import { runCli } from './run-cli';

/** The name of a throwaway stack, before the time it is made at. */
const E2E_STACK_PREFIX = 'SparkifyE2E-';

const E2E = defineCommand({
  usage: 'Usage: npm run e2e -- [--stack NAME] [--scheduled]',
  about: `For a user with an AWS account (never part of npm test). Deploys the sampleData variant
to a throwaway stack (with destroyOnDelete), reads the row
counts through the Redshift Data API, compares them with what npm run local gives on
the same generated sample, and destroys the stack, also when something failed. Needs
credentials and a bootstrapped account (npm run preflight -- --sample-data true).

With --scheduled the stack also has a daily schedule, and before the destroy the run
adds a day the sample lacks to the sample bucket, invokes the scheduled load function
and compares the star tables with npm run local loading that day on top of the sample;
then invokes it again, which must find nothing new.

Cost: one single-node ra3.large cluster for the 15-30 minutes the deploy, the check and
the destroy take (about $0.30 at us-east-1 list prices), plus a few Lambda runs.`,
  options: {
    stack: { type: 'string', value: 'NAME', help: 'the throwaway stack', defaultHelp: `${E2E_STACK_PREFIX}<time>` },
    scheduled: { type: 'boolean', help: 'also deploy a daily schedule and check a scheduled load' },
  },
  footer: 'Exit code 0 when the counts match, 1 when they differ or a step failed.',
});

async function main(values: OptionValues<typeof E2E.options>): Promise<number> {
  const stackName = values.stack ?? `${E2E_STACK_PREFIX}${Date.now()}`;
  const work = mkdtempSync(path.join(tmpdir(), 'sparkify-e2e-'));
  const sample = await ensureDefaultSample();
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
        localCounts: () => localCounts(work, sample),
        dataApi: new DataApi(),
        summarySql: readSummarySql(),
        log: (line) => console.error(line),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        scheduled: values.scheduled ? await scheduledDeps(work, sample) : undefined,
      },
      stackName,
      path.join(work, 'outputs.json'),
    ).catch((error: unknown) => {
      throw new Error(explainAwsError(error, { stackName, region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION }));
    });
    console.log(JSON.stringify(result, null, 2));
    return result.differences.length === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The row counts `npm run local` gives loading `dataDir` into the run's PGlite warehouse (incrementally after the first). */
async function localCounts(work: string, dataDir: string): Promise<Record<string, number>> {
  const engine = await openPglite(path.join(work, 'db'));
  try {
    return (await runLocalEtl(engine, { dataDir })).counts;
  } finally {
    await engine.close();
  }
}

/** The day after the sample's last, generated with the sample's own settings (so its plays can match its songs). */
async function scheduledDeps(work: string, sample: string): Promise<ScheduledE2eDeps> {
  const options = { ...DEFAULT_SAMPLE, days: DEFAULT_SAMPLE.days + 1 };
  const generated = path.join(work, 'generated');
  await writeSample(generated, options);
  const extraDay = logFile(generated, options, DEFAULT_SAMPLE.days);
  const key = path.relative(generated, extraDay).split(path.sep).join('/');
  const lambda = new LambdaClient({});
  return {
    async putExtraDay(bucket) {
      await new S3Client({}).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(extraDay) }));
    },
    async localCountsWithExtraDay() {
      const dataDir = path.join(work, 'sample-plus-a-day');
      cpSync(sample, dataDir, { recursive: true });
      mkdirSync(path.dirname(path.join(dataDir, key)), { recursive: true });
      copyFileSync(extraDay, path.join(dataDir, key));
      return localCounts(work, dataDir);
    },
    async invoke(functionName) {
      const output = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse' }));
      const payload = JSON.parse(new TextDecoder().decode(output.Payload ?? new Uint8Array()) || 'null') as { errorMessage?: string } | null;
      if (output.FunctionError) throw new Error(`${functionName} failed: ${payload?.errorMessage ?? output.FunctionError}`);
      return payload;
    },
  };
}

runCli(E2E, main);
