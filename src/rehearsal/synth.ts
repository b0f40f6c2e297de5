import { App, type Environment } from 'aws-cdk-lib';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { addSparkifyStack } from '../../lib/sparkify-app';
import type { CfnTemplate } from './intrinsics';

/**
 * Synthesizes the app as `cdk deploy -c ...` would, into a folder of our own: the same
 * stack function as bin/sparkify.ts (lib/sparkify-app.ts), the context of cdk.json and
 * cdk.context.json under the command line's, and the context the CDK CLI adds (asset and
 * path metadata, so each function's bundle folder is in its resource's Metadata).
 * NodejsFunction bundles with esbuild locally: the bundles land in outdir/asset.<hash>/.
 */

/** The project's root folder (where cdk.json is). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** What a synth gave. */
export interface SynthesizedStack {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The environment the stack was synthesized for; undefined when environment-agnostic. */
  readonly env?: { readonly account: string; readonly region: string };
}

/** Options of {@link synthesizeApp}. */
export interface SynthOptions {
  /** The command line's context (`-c key=value`). */
  readonly context: Readonly<Record<string, string>>;
  /** Where the cloud assembly goes. */
  readonly outdir: string;
  /**
   * The stack's environment. A stack with one looks its AZs up: cdk.context.json must
   * hold them (the synth fails, naming the lookup, when it does not).
   * @default environment-agnostic, as `cdk deploy` without CDK_DEFAULT_ACCOUNT/REGION
   */
  readonly env?: { readonly account: string; readonly region: string };
  /** Where cdk.json and cdk.context.json are. @default PROJECT_ROOT */
  readonly projectRoot?: string;
}

function readJson(file: string): Record<string, unknown> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** The context `cdk deploy` gives the app: cdk.context.json, cdk.json's context, the command line's, and the CLI's own keys. */
export function deployContext(commandLine: Readonly<Record<string, string>>, projectRoot: string = PROJECT_ROOT): Record<string, unknown> {
  const cdkJson = readJson(path.join(projectRoot, 'cdk.json'));
  return {
    ...readJson(path.join(projectRoot, 'cdk.context.json')),
    ...((cdkJson.context ?? {}) as Record<string, unknown>),
    ...commandLine,
    // What the CDK CLI adds to every synth (aws-cdk's defaults: asset and path metadata, version reporting).
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:version-reporting': true,
  };
}

async function synthOnce(options: SynthOptions, env: Environment | undefined): Promise<SynthesizedStack> {
  const app = new App({ context: deployContext(options.context, options.projectRoot), outdir: options.outdir });
  // addSparkifyStack's default env comes from CDK_DEFAULT_ACCOUNT/REGION, which only the CDK CLI sets: a rehearsal decides its own.
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  delete process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_REGION;
  let stackName: string;
  let assembly;
  try {
    const stack = await addSparkifyStack(app, env);
    stackName = stack.stackName;
    assembly = app.synth();
  } finally {
    if (saved.account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved.account;
    if (saved.region !== undefined) process.env.CDK_DEFAULT_REGION = saved.region;
  }
  const missing = assembly.manifest.missing ?? [];
  if (missing.length > 0) {
    throw new Error(
      `The synth needs context lookups that cdk.context.json does not hold: ${missing.map((item) => item.key).join(', ')}. ` +
        'A synth with credentials for that account (npx cdk synth) records them there.',
    );
  }
  const artifact = assembly.getStackByName(stackName);
  const template = JSON.parse(readFileSync(path.join(options.outdir, artifact.templateFile), 'utf8')) as CfnTemplate;
  return { outdir: options.outdir, stackName, template, env: env as SynthesizedStack['env'] };
}

/** Synthesizes the app for a rehearsal: environment-agnostic unless `env` is given. */
export function synthesizeApp(options: SynthOptions): Promise<SynthesizedStack> {
  return synthOnce(options, options.env);
}
