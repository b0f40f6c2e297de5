import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './cli';

/** The real 2018-11 sample beside the project (read only; never copied into it). */
export const UDACITY_SAMPLE = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'udacity-sample');

/**
 * Whether the real sample is there for `what`: CI must have it (this throws there when
 * it is missing); elsewhere its tests skip with a printed reason.
 */
export function udacitySamplePresent(what: string): boolean {
  const present = existsSync(UDACITY_SAMPLE);
  if (!present && process.env.CI) throw new Error(`CI must have the real sample at ${UDACITY_SAMPLE}`);
  if (!present) console.warn(`Skipping ${what}: ${UDACITY_SAMPLE} is not there (it is in CI).`);
  return present;
}
