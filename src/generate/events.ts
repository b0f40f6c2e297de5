import { levelOn, songAt, unknownSongAt, userAt, type User } from './catalog';
import { Random, STREAM } from './random';
import { OTHER_PAGES } from './vocabulary';

/** The shape of what to generate. */
export interface GeneratorOptions {
  /** Seed of every random choice: the same options give the same files. */
  readonly seed: number;
  /** Listeners with a userId. */
  readonly users: number;
  /** Days of logs, one file each. */
  readonly days: number;
  /** Songs in the catalog (song_data). */
  readonly songs: number;
  /** Events in all, spread evenly over the days. */
  readonly events: number;
  /** The first day, `YYYY-MM-DD` (UTC). */
  readonly startDate: string;
  /** Share of plays whose title, artist and duration match a catalog song (0 to 1). */
  readonly matchRate: number;
}

/** One app event, with the keys and key order of the eventsim logs. */
export interface EventRecord {
  artist: string | null;
  auth: 'Logged In' | 'Logged Out';
  firstName: string | null;
  gender: string | null;
  itemInSession: number;
  lastName: string | null;
  length: number | null;
  level: 'free' | 'paid';
  location: string | null;
  method: 'GET' | 'PUT';
  page: string;
  registration: number | null;
  sessionId: number;
  song: string | null;
  status: number;
  ts: number;
  userAgent: string | null;
  userId: string;
}

const DAY_MS = 86_400_000;
/** Sessions per day are numbered below this, so (day, n) makes a unique sessionId. */
const SESSIONS_PER_DAY_LIMIT = 1_000_000;

/** Midnight UTC of the start date, in epoch milliseconds. */
export function startOf(options: GeneratorOptions): number {
  const ms = Date.parse(`${options.startDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`Not a date (YYYY-MM-DD): ${options.startDate}`);
  return ms;
}

/** How many events day `day` (0-based) holds: the total spread evenly, earlier days take the remainder. */
export function eventsOnDay(options: GeneratorOptions, day: number): number {
  const base = Math.floor(options.events / options.days);
  return base + (day < options.events % options.days ? 1 : 0);
}

/**
 * The events of one day, in sessions: logged-in users browse pages and play songs
 * (NextSong), some change level through an upgrade or downgrade, and a few visitors are
 * logged out (empty userId). Yields exactly {@link eventsOnDay} events.
 */
export function* eventsOfDay(options: GeneratorOptions, day: number): Generator<EventRecord> {
  const random = new Random(options.seed, STREAM.day, day);
  const dayStart = startOf(options) + day * DAY_MS;
  const epochDay = Math.floor(dayStart / DAY_MS);
  let remaining = eventsOnDay(options, day);
  let session = 0;
  while (remaining > 0) {
    session += 1;
    if (session >= SESSIONS_PER_DAY_LIMIT) throw new Error('Too many sessions in one day: use more days');
    const sessionId = (epochDay % 2000) * SESSIONS_PER_DAY_LIMIT + session;
    const length = Math.min(remaining, random.int(1, 40));
    const sessionStart = dayStart + random.int(0, DAY_MS - 3_600_000);
    const events = random.chance(0.04)
      ? loggedOutSession(random, sessionId, sessionStart, length)
      : userSession(options, random, day, sessionId, sessionStart, length);
    for (const event of events) yield event;
    remaining -= length;
  }
}

function* userSession(
  options: GeneratorOptions,
  random: Random,
  day: number,
  sessionId: number,
  start: number,
  length: number,
): Generator<EventRecord> {
  const user = userAt(options.seed, random.int(0, options.users - 1), options.days, startOf(options));
  const changesToday = user.levelChangeDay === day;
  let ts = start;
  for (let item = 0; item < length; item += 1) {
    // On the day of a change, the first event still shows the old level, then the upgrade page.
    const level = changesToday && item === 0 ? levelOn(user, day - 1) : levelOn(user, day);
    const base = loggedIn(user, level, sessionId, item, ts);
    if (changesToday && item === 1) {
      yield { ...base, page: level === 'paid' ? 'Submit Upgrade' : 'Submit Downgrade', status: 307 };
      ts += random.int(5_000, 30_000);
    } else if (random.chance(0.8)) {
      const play = playedSong(options, random);
      yield { ...base, ...play, method: 'PUT', page: 'NextSong' };
      ts += Math.round(play.length * 1000);
    } else {
      yield { ...base, page: random.pick(OTHER_PAGES) };
      ts += random.int(2_000, 60_000);
    }
  }
}

function loggedIn(user: User, level: 'free' | 'paid', sessionId: number, item: number, ts: number): EventRecord {
  return {
    artist: null,
    auth: 'Logged In',
    firstName: user.firstName,
    gender: user.gender,
    itemInSession: item,
    lastName: user.lastName,
    length: null,
    level,
    location: user.location,
    method: 'GET',
    page: 'Home',
    registration: user.registration,
    sessionId,
    song: null,
    status: 200,
    ts,
    userAgent: user.userAgent,
    userId: user.userId,
  };
}

function playedSong(options: GeneratorOptions, random: Random): { artist: string; song: string; length: number } {
  if (options.songs > 0 && random.chance(options.matchRate)) {
    const song = songAt(options.seed, random.int(0, options.songs - 1), options.songs);
    return { artist: song.artist_name, song: song.title, length: song.duration };
  }
  const unknown = unknownSongAt(options.seed, random.int(0, 99_999));
  return { artist: unknown.artist, song: unknown.title, length: unknown.length };
}

function* loggedOutSession(random: Random, sessionId: number, start: number, length: number): Generator<EventRecord> {
  let ts = start;
  for (let item = 0; item < length; item += 1) {
    yield {
      artist: null,
      auth: 'Logged Out',
      firstName: null,
      gender: null,
      itemInSession: item,
      lastName: null,
      length: null,
      level: 'free',
      location: null,
      method: 'GET',
      page: random.pick(['Home', 'Home', 'About', 'Help', 'Login']),
      registration: null,
      sessionId,
      song: null,
      status: 200,
      ts,
      userAgent: null,
      userId: '',
    };
    ts += random.int(2_000, 60_000);
  }
}
