import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { assemblyTemplates } from './assembly-templates';
import { defineCommand, type OptionValues } from './options';
import { runCli } from './run-cli';

/**
 * `npm run synth`: `cdk synth --quiet` with the context given (e.g. `-c serverless=true`),
 * offline, then where each stack's template went, read from the cloud assembly's manifest.
 */

const DEFAULT_OUTPUT = 'cdk.out';

const SYNTH = defineCommand({
  usage: 'Usage: npm run synth -- [-c key=value ...] [--output DIR]',
  about: `Synthesizes the app offline (cdk synth --quiet) and prints the path of each stack's
CloudFormation template in the cloud assembly.`,
  options: {
    context: { type: 'string', short: 'c', multiple: true, value: 'KEY=VALUE', help: 'a setting of the app, as cdk deploy -c takes it (see the README)' },
    output: { type: 'string', value: 'DIR', default: DEFAULT_OUTPUT, help: 'where the cloud assembly goes' },
  },
});

async function main(values: OptionValues<typeof SYNTH.options>): Promise<number> {
  const context = values.context.flatMap((setting) => ['-c', setting]);
  const cdk = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', values.output, ...context], { stdio: 'inherit' });
  if (cdk.status !== 0) return cdk.status ?? 1;
  const outdir = path.resolve(values.output);
  if (!existsSync(path.join(outdir, 'manifest.json'))) {
    console.error(`error: cdk synth succeeded but ${outdir} holds no cloud assembly manifest`);
    return 1;
  }
  for (const { stack, file } of assemblyTemplates(outdir)) console.log(`${stack}: ${path.relative(process.cwd(), file)}`);
  return 0;
}

runCli(SYNTH, main);
