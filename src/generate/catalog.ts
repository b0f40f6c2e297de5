import { Random, STREAM } from './random';
import { ARTIST_WORDS, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, PLACES, TITLE_WORDS, USER_AGENTS } from './vocabulary';

/** A song file's object, with the keys of the Million Song Dataset files. */
export interface SongRecord {
  num_songs: number;
  artist_id: string;
  artist_latitude: number | null;
  artist_longitude: number | null;
  artist_location: string;
  artist_name: string;
  song_id: string;
  title: string;
  duration: number;
  year: number;
}

/** A listener, as their events describe them. */
export interface User {
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly gender: 'F' | 'M';
  readonly location: string;
  readonly userAgent: string;
  readonly registration: number;
  readonly firstLevel: 'free' | 'paid';
  /** The day index from which the user's level is the other one, if it ever changes. */
  readonly levelChangeDay?: number;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ID_CHARS = `${UPPER}0123456789`;

/** How many artists a catalog of `songs` songs has: most artists have one song, some several. */
export function artistCount(songs: number): number {
  return Math.max(1, Math.ceil(songs * 0.9));
}

function artistAt(seed: number, index: number) {
  const random = new Random(seed, STREAM.artist, index);
  const located = random.chance(0.5);
  return {
    artist_id: `AR${random.chars(ID_CHARS, 16)}`,
    artist_name: `${random.pick(TITLE_WORDS)} ${random.pick(ARTIST_WORDS)} ${index}`,
    artist_location: located ? random.pick(PLACES) : '',
    artist_latitude: located ? round(random.next() * 50 + 20, 5) : null,
    artist_longitude: located ? round(-random.next() * 50 - 70, 5) : null,
  };
}

/** Song `index` (0-based) of a catalog of `songs`: the same for the same seed, without the others. */
export function songAt(seed: number, index: number, songs: number): SongRecord {
  const random = new Random(seed, STREAM.song, index);
  const artist = artistAt(seed, index % artistCount(songs));
  return {
    num_songs: 1,
    ...artist,
    song_id: `SO${random.chars(ID_CHARS, 16)}`,
    title: `${random.pick(TITLE_WORDS)} ${random.pick(TITLE_WORDS)} ${index}`,
    duration: round(random.next() * 300 + 90, 5),
    year: random.chance(0.4) ? 0 : random.int(1960, 2018),
  };
}

/** The track id a song's file is named after; its letters 3-5 are the song's folder. */
export function trackIdAt(seed: number, index: number, folders: number): string {
  const random = new Random(seed, STREAM.song, -1 - index);
  return `TR${folderLetters(index % folders)}${random.chars(ID_CHARS, 13)}`;
}

/** The three letters of folder `n` (A/A/A, A/A/B, ...). */
export function folderLetters(n: number): string {
  return UPPER[Math.floor(n / 676) % 26] + UPPER[Math.floor(n / 26) % 26] + UPPER[n % 26];
}

/** A song that is played but is not in the catalog (most plays in the real logs are such). */
export function unknownSongAt(seed: number, index: number): { title: string; artist: string; length: number } {
  const random = new Random(seed, STREAM.unknownSong, index);
  return {
    title: `${random.pick(TITLE_WORDS)} ${random.pick(TITLE_WORDS)} Live ${index}`,
    artist: `The ${random.pick(ARTIST_WORDS)} ${index % 997}`,
    length: round(random.next() * 300 + 90, 5),
  };
}

/** User `index` (0-based); `days` is the length of the generated period (level changes fall in it). */
export function userAt(seed: number, index: number, days: number, startMs: number): User {
  const random = new Random(seed, STREAM.user, index);
  const gender = random.chance(0.5) ? 'F' : 'M';
  const changes = random.chance(0.25);
  return {
    userId: String(index + 1),
    firstName: random.pick(gender === 'F' ? FIRST_NAMES_F : FIRST_NAMES_M),
    lastName: random.pick(LAST_NAMES),
    gender,
    location: random.pick(PLACES),
    userAgent: random.pick(USER_AGENTS),
    registration: startMs - random.int(1, 400) * 86_400_000 + random.int(0, 86_399_999),
    firstLevel: random.chance(0.3) ? 'paid' : 'free',
    levelChangeDay: changes ? random.int(1, Math.max(1, days - 1)) : undefined,
  };
}

/** The user's level on a day of the period. */
export function levelOn(user: User, day: number): 'free' | 'paid' {
  const changed = user.levelChangeDay !== undefined && day >= user.levelChangeDay;
  if (!changed) return user.firstLevel;
  return user.firstLevel === 'free' ? 'paid' : 'free';
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
