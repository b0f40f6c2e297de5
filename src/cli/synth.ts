import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `npm run synth`: `cdk synth --quiet` with the arguments given (e.g. `-c serverless=true`),
 * offline, then where each stack's template went, read from the cloud assembly's manifest.
 */

const HELP = `Usage: npm run synth -- [cdk synth options, e.g. -c serverless=true]

Synthesizes the app offline (cdk synth --quiet) and prints the path of each stack's
CloudFormation template in the cloud assembly (cdk.out/ unless --output says otherwise).`;

/** The templates a cloud assembly holds, by stack: `{ stack, file }` with the file's path. */
export function assemblyTemplates(outdir: string): { stack: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type?: string; displayName?: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile)
    .map(([id, artifact]) => ({ stack: artifact.displayName ?? id, file: path.join(outdir, artifact.properties?.templateFile ?? '') }));
}

function main(args: string[]): number {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const cdk = spawnSync('npx', ['cdk', 'synth', '--quiet', ...args], { stdio: 'inherit' });
  if (cdk.status !== 0) return cdk.status ?? 1;
  const outputAt = args.findIndex((arg) => arg === '--output' || arg === '-o');
  const outdir = path.resolve(outputAt >= 0 ? args[outputAt + 1] : 'cdk.out');
  if (!existsSync(path.join(outdir, 'manifest.json'))) {
    console.error(`error: cdk synth succeeded but ${outdir} holds no cloud assembly manifest`);
    return 1;
  }
  for (const { stack, file } of assemblyTemplates(outdir)) console.log(`${stack}: ${path.relative(process.cwd(), file)}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
