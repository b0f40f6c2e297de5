import type { CopySource } from '../sql/plan';
import { checkTarget, type WarehouseTarget } from './target';

/**
 * The scheduled load's settings: the contract between the construct that writes them
 * (lib/scheduled-load.ts, as JSON in one environment variable) and the handler that
 * reads them. They hold names and ARNs only, never a secret's value.
 */
export interface ScheduledLoadConfig {
  /** Where the statements run. */
  readonly target: WarehouseTarget;
  /** The source files and how COPY reads them. */
  readonly source: CopySource;
  /** The stack's bucket where each run writes its file list, compacted files and COPY manifests. */
  readonly runsBucket: string;
  /** The warehouse's slices: a run compacts its new files into a multiple of them. */
  readonly slices: number;
}

/** The environment variable holding the JSON of {@link ScheduledLoadConfig}. */
export const SCHEDULED_LOAD_CONFIG_VARIABLE = 'SPARKIFY_SCHEDULED_LOAD';

/**
 * Reads the settings from the variable's JSON.
 * @throws naming what is missing, when the variable is absent or incomplete
 */
export function parseScheduledLoadConfig(json: string | undefined): ScheduledLoadConfig {
  if (!json) throw new Error(`${SCHEDULED_LOAD_CONFIG_VARIABLE} is not set: the function must be deployed by lib/scheduled-load.ts`);
  const config = JSON.parse(json) as Partial<ScheduledLoadConfig>;
  checkTarget(config.target, `${SCHEDULED_LOAD_CONFIG_VARIABLE}'s target`);
  const missing = [
    ['source.bucket', config.source?.bucket],
    ['source.region', config.source?.region],
    ['source.logPrefix', config.source?.logPrefix],
    ['source.songPrefix', config.source?.songPrefix],
    ['source.jsonPathsKey', config.source?.jsonPathsKey],
    ['source.copyRoleArn', config.source?.copyRoleArn],
    ['source.maxErrors', config.source?.maxErrors],
    ['runsBucket', config.runsBucket],
    ['slices', config.slices],
  ].filter(([, value]) => value === undefined || value === '');
  if (missing.length > 0) {
    throw new Error(`${SCHEDULED_LOAD_CONFIG_VARIABLE} lacks ${missing.map(([name]) => name).join(', ')}`);
  }
  return config as ScheduledLoadConfig;
}

/**
 * A run writes its COPY manifests to the stack's bucket, and COPY with REGION reads a
 * manifest and its files in that one region: the source must be in the stack's region.
 * @throws saying so, when the source bucket is elsewhere
 */
export function checkSourceRegion(config: ScheduledLoadConfig, stackRegion: string | undefined): void {
  if (stackRegion && config.source.region !== stackRegion) {
    throw new Error(
      `The source bucket ${config.source.bucket} is in ${config.source.region}, the stack in ${stackRegion}: scheduled loads need ` +
        'the source in the stack\'s region (COPY reads a manifest and the files it lists in one region). Copy the files to a bucket here.',
    );
  }
}
