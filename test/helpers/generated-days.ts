import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { logFile, writeSample } from '../../src/generate/writer';
import { tempDir } from './fixtures';
import { PLANTED_SONG_FILES, plantedSongFolder, plantTies, type PlantedTies } from './planted-ties';

/**
 * A sample generated once for a test file, from which tests make data folders holding
 * its songs and some of its days, the way new days arrive in the source bucket. With
 * `ties`, copies that tie or repeat across days and song files are planted in it
 * (test/helpers/planted-ties.ts), and its songs arrive as several deliveries.
 */
export function generatedDays(options: GeneratorOptions, { ties = false }: { ties?: boolean } = {}) {
  const songDeliveries = 1 + (ties ? PLANTED_SONG_FILES : 0);
  let generated = '';
  let planted: PlantedTies | undefined;
  beforeAll(async () => {
    generated = tempDir();
    await writeSample(generated, options);
    if (ties) planted = plantTies(generated, options);
  });

  /** Copies day `day`'s log file into the data folder `dir`; returns its path there. */
  function addDay(dir: string, day: number): string {
    const target = logFile(dir, options, day);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(logFile(generated, options, day), target);
    return target;
  }

  /** Copies song delivery `delivery` into the data folder `dir`: 0 is the catalogue, then each planted song file. */
  function addSongs(dir: string, delivery: number): void {
    const from = delivery === 0 ? generated : plantedSongFolder(generated, delivery);
    cpSync(path.join(from, 'song_data'), path.join(dir, 'song_data'), { recursive: true });
  }

  return {
    addDay,
    addSongs,
    /** How many song deliveries there are: the catalogue, and the planted song files with `ties`. */
    songDeliveries,
    /** What was planted (with `ties`). */
    planted(): PlantedTies {
      if (!planted) throw new Error('generatedDays(): nothing planted (pass { ties: true }), or used outside a test');
      return planted;
    },
    /** The generated log file of a day. */
    sourceOf: (day: number) => logFile(generated, options, day),
    /** A new data folder with all the songs (every delivery), the JSONPaths file and the given days. */
    dataWithDays(days: readonly number[]): string {
      const dir = tempDir();
      mkdirSync(path.join(dir, 'song_data'));
      for (let delivery = 0; delivery < songDeliveries; delivery += 1) addSongs(dir, delivery);
      copyFileSync(path.join(generated, 'log_json_path.json'), path.join(dir, 'log_json_path.json'));
      mkdirSync(path.join(dir, 'log_data'));
      for (const day of days) addDay(dir, day);
      return dir;
    },
  };
}
