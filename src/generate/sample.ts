import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { GeneratorOptions } from './events';
import { writeSample } from './writer';

/** The options of the default sample: about the size and shape of the public 2018-11 logs. */
export const DEFAULT_SAMPLE: GeneratorOptions = {
  seed: 42,
  users: 100,
  days: 30,
  songs: 200,
  events: 8000,
  startDate: '2018-11-01',
  matchRate: 0.3,
};

/** Where the default sample is written, relative to the working directory. */
export const DEFAULT_SAMPLE_DIR = path.join('.sparkify', 'sample');

/** Bump when the generator's output changes, so existing default samples are written again. */
const GENERATOR_VERSION = 1;
const STAMP_FILE = 'GENERATED.json';

/**
 * Makes sure `dir` holds the default sample: writes it when absent or written by another
 * generator version or options, and returns the folder.
 */
export async function ensureDefaultSample(dir: string = DEFAULT_SAMPLE_DIR): Promise<string> {
  const stamp = JSON.stringify({ version: GENERATOR_VERSION, options: DEFAULT_SAMPLE });
  const stampFile = path.join(dir, STAMP_FILE);
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;
  rmSync(dir, { recursive: true, force: true });
  await writeSample(dir, DEFAULT_SAMPLE);
  writeFileSync(stampFile, stamp);
  return dir;
}
