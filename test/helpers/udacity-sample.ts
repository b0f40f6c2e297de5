import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from './cli';

/** The real 2018-11 sample beside the project (read only; never copied into it). */
export const UDACITY_SAMPLE = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'udacity-sample');

/**
 * Set (to anything) where CI has no copy of the real sample, as on GitHub's runners: its
 * tests skip there with a printed reason instead of failing.
 */
export const NO_REAL_SAMPLE_VARIABLE = 'SPARKIFY_NO_REAL_SAMPLE';

/**
 * Whether the real sample is there for `what`: CI must have it (this throws there when
 * it is missing, unless `SPARKIFY_NO_REAL_SAMPLE` says it has none); elsewhere its tests
 * skip with a printed reason.
 */
export function udacitySamplePresent(what: string): boolean {
  const present = existsSync(UDACITY_SAMPLE);
  if (!present && process.env.CI && !process.env[NO_REAL_SAMPLE_VARIABLE]) {
    throw new Error(`CI must have the real sample at ${UDACITY_SAMPLE} (or set ${NO_REAL_SAMPLE_VARIABLE}=1 where it has none)`);
  }
  if (!present) console.warn(`Skipping ${what}: ${UDACITY_SAMPLE} is not there (it is in .ci/run's CI).`);
  return present;
}
