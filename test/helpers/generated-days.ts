import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { logFile, writeSample } from '../../src/generate/writer';
import { tempDir } from './fixtures';

/**
 * A sample generated once for a test file, from which tests make data folders holding
 * its songs and some of its days, the way new days arrive in the source bucket.
 */
export function generatedDays(options: GeneratorOptions) {
  let generated = '';
  beforeAll(async () => {
    generated = tempDir();
    await writeSample(generated, options);
  });

  /** Copies day `day`'s log file into the data folder `dir`; returns its path there. */
  function addDay(dir: string, day: number): string {
    const target = logFile(dir, options, day);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(logFile(generated, options, day), target);
    return target;
  }

  return {
    addDay,
    /** The generated log file of a day. */
    sourceOf: (day: number) => logFile(generated, options, day),
    /** A new data folder with all the songs, the JSONPaths file and the given days. */
    dataWithDays(days: readonly number[]): string {
      const dir = tempDir();
      cpSync(path.join(generated, 'song_data'), path.join(dir, 'song_data'), { recursive: true });
      copyFileSync(path.join(generated, 'log_json_path.json'), path.join(dir, 'log_json_path.json'));
      mkdirSync(path.join(dir, 'log_data'));
      for (const day of days) addDay(dir, day);
      return dir;
    },
  };
}
