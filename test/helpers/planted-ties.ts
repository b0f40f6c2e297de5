import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EventRecord, GeneratorOptions } from '../../src/generate/events';
import { logFile } from '../../src/generate/writer';
import { writeTree } from './fixtures';

/** A song file object, as the generator writes it. */
type SongRecord = Record<string, unknown> & { song_id: string; title: string; artist_id: string; artist_name: string; duration: number };

/** A play's natural key. */
interface PlayKey {
  readonly userId: string;
  readonly sessionId: number;
  readonly itemInSession: number;
}

/**
 * What {@link plantTies} added to a generated sample: the keys whose copies tie or
 * repeat across days and song files, for a test to say what a clean load keeps.
 */
export interface PlantedTies {
  /**
   * A user with one event a day at the same ts, its latest: days 0, 1 and 2 are in one
   * session at items 1, 2 and 3; day 3 repeats day 2's session and item with level paid
   * (day 2's is free) and last name TieD.
   */
  readonly user: { readonly userId: string; readonly ts: number; readonly sessionId: number };
  /**
   * A play of day 0 (at `ts`) repeated: day 1 at ts + 5 s, days 2 and 3 both at ts - 3 s,
   * day 2 at location `Tie B, XX`, day 3 at `Tie A, XX`.
   */
  readonly play: PlayKey & { readonly ts: number };
  /**
   * A catalogue song that plays match, delivered again: song file 1 with its duration 1 s
   * shorter; song file 2 with it 1 s longer, and with `higherSong`, a song of a higher
   * song_id with the catalogue copy's title, artist name and duration (another artist_id).
   */
  readonly song: SongRecord;
  readonly higherSong: SongRecord;
  /** A catalogue song (of a third artist) that plays match; song file 3 holds `lowerSong`, a copy of it under a lower song_id. */
  readonly twinnedSong: SongRecord;
  readonly lowerSong: SongRecord;
  /**
   * A catalogue song (of another artist) that plays match, whose artist song file 2
   * delivers again with `0` before its name, on a new song; day 2 holds a play logging
   * that new name.
   */
  readonly renamedArtistSong: SongRecord;
}

/** The song files {@link plantTies} writes, each a delivery of its own: `song_data/ties/<n>.json`. */
export const PLANTED_SONG_FILES = 3;

/** Where planted song file `delivery` (1 to {@link PLANTED_SONG_FILES}) is, under the sample's folder. */
export function plantedSongFolder(sampleDir: string, delivery: number): string {
  return path.join(sampleDir, 'planted', String(delivery));
}

/**
 * Adds to a generated sample (of 4 days or more) copies that tie or repeat across days
 * and song files: each day's log file gets its copies appended; the song files are
 * written under `planted/<n>/song_data/ties/` for tests to deliver on their own.
 */
export function plantTies(sampleDir: string, options: GeneratorOptions): PlantedTies {
  if (options.days < 4) throw new Error('plantTies needs a sample of at least 4 days');
  const days = Array.from({ length: options.days }, (_, day) => eventsIn(logFile(sampleDir, options, day)));
  const all = days.flat();
  const isPlay = (event: EventRecord) => event.page === 'NextSong' && event.userId !== '';
  const plays = all.filter(isPlay);
  const catalogue = songsUnder(path.join(sampleDir, 'song_data'));
  const playedSongs = catalogue.filter((song) => plays.some((event) => logs(event, song.title, song.artist_name, song.duration)));
  const [song] = playedSongs;
  const renamedArtistSong = playedSongs.find((candidate) => candidate.artist_id !== song?.artist_id);
  const twinnedSong = playedSongs.find((candidate) => candidate.artist_id !== song?.artist_id && candidate.artist_id !== renamedArtistSong?.artist_id);
  if (!song || !renamedArtistSong || !twinnedSong) throw new Error('plantTies needs plays matching songs of three artists: raise matchRate');

  const [userEvent, ...otherPlaysOfDay0] = days[0].filter(isPlay);
  const userTs = Math.max(...all.map((event) => event.ts)) + 60_000;
  const sessionId = 9_999_001;
  const userCopies = [
    { itemInSession: 1, level: 'free', lastName: 'TieA' },
    { itemInSession: 2, level: 'free', lastName: 'TieB' },
    { itemInSession: 3, level: 'free', lastName: 'TieC' },
    { itemInSession: 3, level: 'paid', lastName: 'TieD' },
  ].map((fields) => ({ ...userEvent, ts: userTs, sessionId, ...fields }));

  const repeated = otherPlaysOfDay0.find((event) => event.userId !== userEvent.userId);
  if (!repeated) throw new Error('plantTies needs plays of two users on day 0');
  const playCopies = [
    undefined,
    { ...repeated, ts: repeated.ts + 5_000 },
    { ...repeated, ts: repeated.ts - 3_000, location: 'Tie B, XX' },
    { ...repeated, ts: repeated.ts - 3_000, location: 'Tie A, XX' },
  ];

  const renamed = `0${renamedArtistSong.artist_name}`;
  const renamedArtistPlay = {
    ...repeated,
    itemInSession: 9_001,
    sessionId,
    song: renamedArtistSong.title,
    artist: renamed,
    length: renamedArtistSong.duration,
  };

  for (let day = 0; day < 4; day += 1) {
    const added = [userCopies[day], playCopies[day], day === 2 ? renamedArtistPlay : undefined].filter((event) => event !== undefined);
    appendFileSync(logFile(sampleDir, options, day), added.map((event) => `${JSON.stringify(event)}\n`).join(''));
  }

  // Another artist of the same name: a load bringing only the song file 1 stages neither it nor its artist.
  const higherSong = { ...song, song_id: 'SOZZZZZZZZZZZZZZZZ', artist_id: 'ARZZZZZZZZZZZZZZZZ' };
  const lowerSong = { ...twinnedSong, song_id: 'SO0000000000000000' };
  const deliveries: Record<string, unknown>[][] = [
    [{ ...song, duration: song.duration - 1 }],
    [
      { ...song, duration: song.duration + 1 },
      higherSong,
      { ...renamedArtistSong, song_id: 'SOTIEDARTIST00001', title: 'Planted Under A Renamed Artist', artist_name: renamed },
    ],
    [lowerSong],
  ];
  deliveries.forEach((songs, index) => writeTree(plantedSongFolder(sampleDir, index + 1), { [`song_data/ties/${index + 1}.json`]: songs }));
  return {
    user: { userId: userEvent.userId, ts: userTs, sessionId },
    play: { userId: repeated.userId, sessionId: repeated.sessionId, itemInSession: repeated.itemInSession, ts: repeated.ts },
    song,
    higherSong,
    twinnedSong,
    lowerSong,
    renamedArtistSong,
  };
}

function logs(event: EventRecord, title: string, artist: string, length: number): boolean {
  return event.song === title && event.artist === artist && event.length === length;
}

function eventsIn(file: string): EventRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EventRecord);
}

function songsUnder(dir: string): SongRecord[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .flatMap((entry) => eventsIn(path.join(entry.parentPath, entry.name)) as unknown as SongRecord[]);
}
