import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { writeSample } from '../../src/generate/writer';
import { listJsonFiles } from '../../src/local/local-copy';
import { tempDir } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';

const small: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 20, days: 3, songs: 30, events: 1500 };

async function generate(options: GeneratorOptions): Promise<string> {
  const dir = tempDir();
  await writeSample(dir, options);
  return dir;
}

function treeDigest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of [...listJsonFiles(path.join(dir, 'song_data')), ...listJsonFiles(path.join(dir, 'log_data'))]) {
    hash.update(path.relative(dir, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function events(dir: string): Record<string, unknown>[] {
  return listJsonFiles(path.join(dir, 'log_data')).flatMap((file) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  );
}

describe('the sample generator', () => {
  it('writes the same files for the same options, other files for another seed', async () => {
    const [a, b, c] = await Promise.all([generate(small), generate(small), generate({ ...small, seed: 7 })]);
    expect(treeDigest(a)).toBe(treeDigest(b));
    expect(treeDigest(c)).not.toBe(treeDigest(a));
  });

  it('lays files out like the public dataset, one log file a day, with exactly --events events', async () => {
    const dir = await generate(small);
    const logs = listJsonFiles(path.join(dir, 'log_data')).map((file) => path.relative(dir, file));
    expect(logs).toEqual([
      'log_data/2018/11/2018-11-01-events.json',
      'log_data/2018/11/2018-11-02-events.json',
      'log_data/2018/11/2018-11-03-events.json',
    ]);
    const songs = listJsonFiles(path.join(dir, 'song_data')).map((file) => path.relative(dir, file));
    expect(songs).toHaveLength(30);
    for (const file of songs) expect(file).toMatch(/^song_data\/([A-Z])\/([A-Z])\/([A-Z])\/TR\1\2\3[A-Z0-9]{13}\.json$/);
    expect(events(dir)).toHaveLength(1500);
    expect(JSON.parse(readFileSync(path.join(dir, 'log_json_path.json'), 'utf8')).jsonpaths).toHaveLength(18);
  });

  it('has the traits of the real logs: logged-out visitors, level changes, other pages, unknown years and places', async () => {
    const dir = await generate(small);
    const all = events(dir);
    expect(Object.keys(all[0])).toEqual([
      'artist', 'auth', 'firstName', 'gender', 'itemInSession', 'lastName', 'length', 'level', 'location',
      'method', 'page', 'registration', 'sessionId', 'song', 'status', 'ts', 'userAgent', 'userId',
    ]);
    expect(all.some((event) => event.userId === '' && event.auth === 'Logged Out')).toBe(true);
    expect(all.some((event) => event.userId === '' && event.page === 'NextSong')).toBe(false);
    const levels = new Map<unknown, Set<unknown>>();
    for (const event of all) levels.set(event.userId, (levels.get(event.userId) ?? new Set()).add(event.level));
    expect([...levels.entries()].some(([user, seen]) => user !== '' && seen.size === 2)).toBe(true);
    const pages = new Set(all.map((event) => event.page));
    expect(pages.has('NextSong') && pages.has('Home') && pages.size).toBeGreaterThan(3);
    const songs = listJsonFiles(path.join(dir, 'song_data')).map((file) => JSON.parse(readFileSync(file, 'utf8')));
    expect(songs.some((item) => item.year === 0)).toBe(true);
    expect(songs.some((item) => item.artist_location === '' && item.artist_latitude === null)).toBe(true);
  });

  it('refuses options that make no sample, naming them', async () => {
    await expect(writeSample(tempDir(), { ...small, days: 0 })).rejects.toThrow(/--days must be a whole number ≥ 1/);
    await expect(writeSample(tempDir(), { ...small, matchRate: 2 })).rejects.toThrow(/--match-rate/);
    await expect(writeSample(tempDir(), { ...small, startDate: '2018-13-45' })).rejects.toThrow(/Not a date/);
  });
});

describe('the generated sample through the warehouse', () => {
  const shared = sharedWarehouse();

  it('loads with every check passing and plays matched to songs', async () => {
    const { report } = await shared.load({ dataDir: await generate(small) });
    expect(report.tables.staging_events).toBe(small.events);
    expect(report.tables.songs).toBe(small.songs);
    expect(report.tables.users).toBeLessThanOrEqual(small.users);
    expect(report.matchedSongplays).toBeGreaterThan(0);
    expect(report.matchedSongplays).toBeLessThan(report.tables.songplays);
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
  });
});
