import { App } from 'aws-cdk-lib';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { addSparkifyStack, cdkJsonContext } from '../../lib/sparkify-app';
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
}

function readJson(file: string): Record<string, unknown> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** The context `cdk deploy` gives the app: cdk.context.json, cdk.json's context, the command line's, and the CLI's own keys. */
export function deployContext(commandLine: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    ...readJson(path.join(PROJECT_ROOT, 'cdk.context.json')),
    ...cdkJsonContext(),
    ...commandLine,
    // What the CDK CLI adds to every synth (aws-cdk's defaults: asset and path metadata, version reporting).
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:version-reporting': true,
  };
}

/** Synthesizes the app for a rehearsal: environment-agnostic unless `env` is given. */
export async function synthesizeApp(options: SynthOptions): Promise<SynthesizedStack> {
  const { env } = options;
  const app = new App({ context: deployContext(options.context), outdir: options.outdir });
  const { stackName } = await addSparkifyStack(app, env);
  const assembly = app.synth();
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

