import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cdkJsonContext } from '../../lib/sparkify-app';
import { SparkifyStack, type SparkifyStackProps } from '../../lib/sparkify-stack';
import { tempDir } from './fixtures';

/** A resource of a synthesized template, as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TemplateResource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };

/** A template's resources by logical id. */
export const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, TemplateResource>;

/** A tiny sample folder for the sampleData variant (the real default sample is bigger than a test needs). */
export function tinySampleDir(): string {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'song_data', 'A', 'A', 'A'), { recursive: true });
  mkdirSync(path.join(dir, 'log_data', '2018', '11'), { recursive: true });
  writeFileSync(path.join(dir, 'song_data', 'A', 'A', 'A', 'TRAAA.json'), '{"song_id":"SO1","artist_id":"AR1"}\n');
  writeFileSync(path.join(dir, 'log_data', '2018', '11', '2018-11-01-events.json'), '{"ts":1}\n');
  writeFileSync(path.join(dir, 'log_json_path.json'), '{"jsonpaths":[]}\n');
  return dir;
}

/**
 * Synthesizes the stack with these props (environment-agnostic unless `props.env` says)
 * and cdk.json's feature flags, as `cdk deploy` would, and returns it with its template.
 * @param context more context, e.g. a region's Availability Zones as a lookup would give them
 */
export function synth(props: SparkifyStackProps = {}, context: Record<string, unknown> = {}): { stack: SparkifyStack; template: Template } {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const stack = new SparkifyStack(app, 'Test', props);
  return { stack, template: Template.fromStack(stack) };
}

/**
 * Synthesizes the stack with these props as {@link synth} does, but with cdk-nag's
 * AwsSolutions pack on and no bundling (cdk-nag reads the template, not the functions'
 * code). Returns the template (written before the checks run) and cdk-nag's report of the
 * findings nobody acknowledged: none, [].
 */
export function synthWithNag(props: SparkifyStackProps = {}): { template: Template; findings: string[] } {
  const outdir = tempDir();
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new SparkifyStack(app, 'Nag', props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const findings: string[] = [];
  try {
    app.synth();
  } catch (error) {
    const report = path.join(outdir, 'validation-report.json');
    if (!existsSync(report)) throw error;
    findings.push(readFileSync(report, 'utf8'));
  }
  return { template: Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, stack.templateFile), 'utf8')) as Record<string, unknown>), findings };
}
