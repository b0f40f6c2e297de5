import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cdkJsonContext } from '../../lib/sparkify-app';
import { SparkifyStack, type SparkifyStackProps } from '../../lib/sparkify-stack';
import { tempDir } from './fixtures';

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
