import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CopySource } from '../../src/sql/plan';

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A folder, new for each call, in the test run's own temporary folder (removed when the
 * run ends, see test/global-setup.ts), and removed when the test process exits.
 */
export function tempDir(prefix = 'sparkify-test-'): string {
  const dir = mkdtempSync(path.join(process.env.SPARKIFY_TEST_TMP ?? tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A song file object; fields not given take plausible values. */
export function song(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    num_songs: 1,
    artist_id: 'ARTEST0000000001',
    artist_latitude: null,
    artist_longitude: null,
    artist_location: '',
    artist_name: 'Test Artist',
    song_id: 'SOTEST0000000001',
    title: 'Test Song',
    duration: 200.5,
    year: 2001,
    ...fields,
  };
}

let nextTs = 1_541_000_000_000;

/** A NextSong event of user 1; fields not given take plausible values, ts increasing. */
export function play(fields: Record<string, unknown> = {}): Record<string, unknown> {
  nextTs += 1000;
  return {
    artist: 'Test Artist',
    auth: 'Logged In',
    firstName: 'Ada',
    gender: 'F',
    itemInSession: 0,
    lastName: 'Adler',
    length: 200.5,
    level: 'free',
    location: 'Springfield, IL',
    method: 'PUT',
    page: 'NextSong',
    registration: 1_540_000_000_000,
    sessionId: 1,
    song: 'Test Song',
    status: 200,
    ts: nextTs,
    userAgent: 'Mozilla/5.0',
    userId: '1',
    ...fields,
  };
}

/** Writes files under a folder; values are written as given (strings) or as JSON lines (arrays of objects). */
export function writeTree(root: string, files: Record<string, string | Record<string, unknown>[]>): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : content.map((item) => JSON.stringify(item)).join('\n') + '\n');
  }
  return root;
}

/** A data folder with the given songs (one file each) and events (one log file). */
export function dataDir(songs: Record<string, unknown>[], events: Record<string, unknown>[]): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'song_data'));
  const files: Record<string, Record<string, unknown>[]> = { 'log_data/2018/11/2018-11-01-events.json': events };
  songs.forEach((item, index) => {
    files[`song_data/A/B/C/TRTEST${index}.json`] = [item];
  });
  return writeTree(root, files);
}

/** A COPY source like the deploy's default: the public dataset, read with a made-up role. */
export const PUBLIC_DATASET_SOURCE: CopySource = {
  bucket: 'udacity-dend',
  region: 'us-west-2',
  songPrefix: 'song_data',
  logPrefix: 'log_data',
  jsonPathsKey: 'log_json_path.json',
  copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
  maxErrors: 0,
};
