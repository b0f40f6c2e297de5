import { once } from 'node:events';
import { copyFileSync, createWriteStream, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_JSONPATHS } from '../local/jsonpaths';
import { folderLetters, songAt, trackIdAt } from './catalog';
import { eventsOfDay, startOf, type GeneratorOptions } from './events';

/** What the generator wrote. */
export interface GeneratedSummary {
  readonly songs: number;
  readonly songFiles: number;
  readonly events: number;
  readonly logFiles: number;
}

const FOLDERS = 26 ** 3;
const FLUSH_BYTES = 1 << 20;

/**
 * Writes a sample in the layout of the public dataset under `outDir`:
 * `song_data/A/B/C/TR….json` (songs grouped by their folder, one object per line),
 * `log_data/YYYY/MM/YYYY-MM-DD-events.json` (one file per day, newline-delimited) and
 * `log_json_path.json`. Streams everything: memory stays flat whatever the size.
 */
export async function writeSample(outDir: string, options: GeneratorOptions): Promise<GeneratedSummary> {
  validate(options);
  const songFiles = await writeSongs(outDir, options);
  let events = 0;
  for (let day = 0; day < options.days; day += 1) {
    events += await writeLines(logFile(outDir, options, day), mapIterable(eventsOfDay(options, day), JSON.stringify));
  }
  copyFileSync(PROJECT_JSONPATHS, path.join(outDir, 'log_json_path.json'));
  return { songs: options.songs, songFiles, events, logFiles: options.days };
}

/** The log file of day `day`: `log_data/YYYY/MM/YYYY-MM-DD-events.json`. */
export function logFile(outDir: string, options: GeneratorOptions, day: number): string {
  const date = new Date(startOf(options) + day * 86_400_000).toISOString().slice(0, 10);
  return path.join(outDir, 'log_data', date.slice(0, 4), date.slice(5, 7), `${date}-events.json`);
}

async function writeSongs(outDir: string, options: GeneratorOptions): Promise<number> {
  // Song i lives in folder i % folders; each folder is one file, named after its first track.
  const folders = Math.min(options.songs, FOLDERS);
  for (let folder = 0; folder < folders; folder += 1) {
    const letters = folderLetters(folder);
    const file = path.join(outDir, 'song_data', ...letters, `${trackIdAt(options.seed, folder, folders)}.json`);
    await writeLines(file, songsInFolder(options, folder, folders));
  }
  return folders;
}

function* songsInFolder(options: GeneratorOptions, folder: number, folders: number): Generator<string> {
  for (let index = folder; index < options.songs; index += folders) {
    yield JSON.stringify(songAt(options.seed, index, options.songs));
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

/** Writes lines to a new file through a stream, respecting backpressure; returns the count. */
async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  mkdirSync(path.dirname(file), { recursive: true });
  const stream = createWriteStream(file);
  let buffer = '';
  let count = 0;
  for (const line of lines) {
    buffer += `${line}\n`;
    count += 1;
    if (buffer.length >= FLUSH_BYTES) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  stream.end(buffer);
  await once(stream, 'finish');
  return count;
}

function validate(options: GeneratorOptions): void {
  const positive: (keyof GeneratorOptions)[] = ['users', 'days', 'songs'];
  for (const key of positive) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Error(`--${key} must be a whole number ≥ 1, got ${value}`);
  }
  if (!Number.isSafeInteger(options.events) || options.events < 0) {
    throw new Error(`--events must be a whole number ≥ 0, got ${options.events}`);
  }
  if (!(options.matchRate >= 0 && options.matchRate <= 1)) {
    throw new Error(`--match-rate must be between 0 and 1, got ${options.matchRate}`);
  }
  startOf(options);
}
