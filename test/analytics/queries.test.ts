import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAnalyticsQueries, runAnalyticsQuery } from '../../src/analytics/queries';
import { listJsonFiles } from '../../src/local/local-copy';
import { ENGINES } from '../helpers/engines';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';
import { handMadeSample } from './hand-made-sample';

const present = udacitySamplePresent('the analytics answers on the real sample');

const NAMES = [
  'free-vs-paid',
  'level-changes',
  'overview',
  'plays-by-hour',
  'plays-by-weekday',
  'plays-per-day',
  'session-lengths',
  'top-artists',
  'top-locations',
  'top-songs',
];

describe('the analytics queries', () => {
  it('each start with the question they answer and use one statement', () => {
    const queries = readAnalyticsQueries();
    expect(queries.map((query) => query.name)).toEqual(NAMES);
    for (const query of queries) expect(query.question).toMatch(/\?/);
  });
});

interface Event {
  userId: string;
  sessionId: number;
  itemInSession: number;
  page: string;
  ts: number;
  level: string;
  location: string;
  song: string;
  artist: string;
  length: number;
}

interface SongFile {
  title: string;
  artist_name: string;
  duration: number;
}

const readLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);

/** The real sample's plays, read from the raw files in plain JavaScript, independently of the SQL. */
function samplePlays(): Event[] {
  const events = listJsonFiles(path.join(UDACITY_SAMPLE, 'log_data')).flatMap((file) => readLines(file) as Event[]);
  const unique = new Map<string, Event>();
  for (const event of events.filter((e) => e.page === 'NextSong')) {
    const key = `${event.userId}/${event.sessionId}/${event.itemInSession}`;
    if (!unique.has(key)) unique.set(key, event);
  }
  return [...unique.values()];
}

/** Whether a play matches a song of the real sample's catalogue: title, artist and duration all equal. */
function catalogueMatcher(): (event: Event) => boolean {
  const songs = listJsonFiles(path.join(UDACITY_SAMPLE, 'song_data')).flatMap((file) => readLines(file) as SongFile[]);
  const keys = new Set(songs.map((item) => JSON.stringify([item.title, item.artist_name, item.duration])));
  return (event) => keys.has(JSON.stringify([event.song, event.artist, event.length]));
}

/** Groups items by a key, keeping each group's items. */
function groupBy<T>(items: readonly T[], key: (item: T) => string | number): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Text in byte order (what ORDER BY gives under the C collation, and on Redshift). */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const distinct = <T>(items: readonly T[], key: (item: T) => unknown) => new Set(items.map(key)).size;

describe.each(ENGINES)('the analytics answers on %s', (engineName) => {
  const shared = sharedWarehouse(engineName);
  const queries = Object.fromEntries(readAnalyticsQueries().map((query) => [query.name, query]));
  const answer = (name: string) => runAnalyticsQuery<Record<string, unknown>>(shared.engine().db, queries[name]);

  describe('on the hand-made sample (each answer worked out by hand from the table in hand-made-sample.ts)', () => {
    beforeAll(async () => {
      await shared.load({ dataDir: handMadeSample() });
    });

    it('overview: 11 plays (the repeated event counts once) by 3 of the 4 users, 5 paid, 6 matched', async () => {
      expect(await answer('overview')).toEqual([
        {
          plays: 11,
          listeners: 3,
          paid_plays: 5, // plays 3, 4, 5, 7, 11
          matched_plays: 6, // plays 1, 3, 7 (Alpha, 100 s) and 6, 10, 11 (Beta)
          first_play: new Date('2018-11-05T07:30:00Z'),
          last_play: new Date('2018-11-10T21:14:00Z'),
          users: 4, // user 4 opened the Home page only
          paid_users: 2, // the latest events of users 1 (play 5) and 2 (play 11)
        },
      ]);
    });

    it('top songs: over all plays by the logged title and artist, matched or not', async () => {
      expect(await answer('top-songs')).toEqual([
        { title: 'Alpha', artist: 'Band', plays: 4, listeners: 2, matched_plays: 3 }, // plays 1, 3, 5, 7; play 5 is 101 s
        { title: 'Beta', artist: 'Crew', plays: 3, listeners: 1, matched_plays: 3 },
        { title: 'Delta', artist: 'Duo', plays: 2, listeners: 1, matched_plays: 0 }, // ties with Gamma: by title
        { title: 'Gamma', artist: 'Band', plays: 2, listeners: 1, matched_plays: 0 },
      ]);
    });

    it('top artists: over all plays by the logged artist', async () => {
      expect(await answer('top-artists')).toEqual([
        { artist: 'Band', plays: 6, listeners: 2, songs: 2 },
        { artist: 'Crew', plays: 3, listeners: 1, songs: 1 },
        { artist: 'Duo', plays: 2, listeners: 1, songs: 1 },
      ]);
    });

    it('plays by hour and by weekday (0 = Sunday)', async () => {
      expect(await answer('plays-by-hour')).toEqual([
        { hour: 7, plays: 4 }, // plays 1, 2, 8, 9
        { hour: 21, plays: 7 },
      ]);
      expect(await answer('plays-by-weekday')).toEqual([
        { weekday: 1, plays: 2 }, // Monday 5 Nov
        { weekday: 2, plays: 5 }, // Tuesday 6 Nov
        { weekday: 6, plays: 4 }, // Saturday 10 Nov
      ]);
    });

    it('plays per day, with the users who played that day', async () => {
      expect(await answer('plays-per-day')).toEqual([
        { play_date: '2018-11-05', plays: 2, users: 1 },
        { play_date: '2018-11-06', plays: 5, users: 2 },
        { play_date: '2018-11-10', plays: 4, users: 2 },
      ]);
    });

    it('free vs paid: plays at each level, and users at their latest level', async () => {
      expect(await answer('free-vs-paid')).toEqual([
        { level: 'free', plays: 6, users: 2 }, // users 3 and 4
        { level: 'paid', plays: 5, users: 2 }, // users 1 and 2
      ]);
    });

    it('level changes: user 2 upgrades twice and goes back once, user 1 upgrades once', async () => {
      expect(await answer('level-changes')).toEqual([
        { change: 'free -> paid', changes: 3, users: 2 },
        { change: 'paid -> free', changes: 1, users: 1 },
      ]);
    });

    it('sessions by length and top locations', async () => {
      expect(await answer('session-lengths')).toEqual([
        { plays_in_session: 2, sessions: 4 }, // sessions 10, 20, 21, 30
        { plays_in_session: 3, sessions: 1 }, // session 11
      ]);
      expect(await answer('top-locations')).toEqual([
        { location: 'Springfield, IL', plays: 7, users: 2 },
        { location: 'Portland, ME', plays: 4, users: 1 },
      ]);
    });
  });

  describe.runIf(present)('on the real 2018-11 sample (answers counted from the raw files)', () => {
    const plays = present ? samplePlays() : [];
    const matches = present ? catalogueMatcher() : () => false;

    beforeAll(async () => {
      await shared.load({ dataDir: UDACITY_SAMPLE });
    });

    it('overview: 6,820 plays by 96 of the 97 users, one of them matched to the catalogue', async () => {
      expect(await answer('overview')).toEqual([
        {
          plays: 6820,
          listeners: 96,
          paid_plays: plays.filter((event) => event.level === 'paid').length,
          matched_plays: 1,
          first_play: new Date(Math.min(...plays.map((event) => event.ts))),
          last_play: new Date(Math.max(...plays.map((event) => event.ts))),
          users: 97,
          paid_users: 22,
        },
      ]);
      expect(plays.filter(matches)).toHaveLength(1);
    });

    it("top songs: You're The One by Dwight Yoakam, 37 plays, though no play of it matched the catalogue", async () => {
      const songs = [...groupBy(plays, (event) => JSON.stringify([event.song, event.artist])).values()]
        .map((group) => ({
          title: group[0].song,
          artist: group[0].artist,
          plays: group.length,
          listeners: distinct(group, (event) => event.userId),
          matched_plays: group.filter(matches).length,
        }))
        .sort((a, b) => b.plays - a.plays || byBytes(a.title, b.title) || byBytes(a.artist, b.artist));
      const rows = await answer('top-songs');
      expect(rows).toEqual(songs.slice(0, 10));
      expect(rows[0]).toMatchObject({ title: "You're The One", artist: 'Dwight Yoakam', plays: 37 });
    });

    it('top artists: Coldplay among them (first, with 58 plays)', async () => {
      const artists = [...groupBy(plays, (event) => event.artist).values()]
        .map((group) => ({
          artist: group[0].artist,
          plays: group.length,
          listeners: distinct(group, (event) => event.userId),
          songs: distinct(group, (event) => event.song),
        }))
        .sort((a, b) => b.plays - a.plays || byBytes(a.artist, b.artist));
      const rows = await answer('top-artists');
      expect(rows).toEqual(artists.slice(0, 10));
      expect(rows.map((row) => row.artist)).toContain('Coldplay');
    });

    it('plays by hour and by weekday, every one with its count', async () => {
      const hours = [...groupBy(plays, (event) => new Date(event.ts).getUTCHours()).entries()];
      expect(await answer('plays-by-hour')).toEqual(hours.sort((a, b) => Number(a[0]) - Number(b[0])).map(([hour, group]) => ({ hour, plays: group.length })));
      const weekdays = [...groupBy(plays, (event) => new Date(event.ts).getUTCDay()).entries()];
      expect(await answer('plays-by-weekday')).toEqual(
        weekdays.sort((a, b) => Number(a[0]) - Number(b[0])).map(([weekday, group]) => ({ weekday, plays: group.length })),
      );
    });

    it('plays per day, with the users who played that day', async () => {
      const days = [...groupBy(plays, (event) => new Date(event.ts).toISOString().slice(0, 10)).entries()].sort((a, b) => byBytes(String(a[0]), String(b[0])));
      expect(await answer('plays-per-day')).toEqual(days.map(([day, group]) => ({ play_date: day, plays: group.length, users: distinct(group, (event) => event.userId) })));
    });

    it('free vs paid: plays per level, and 22 paid users now', async () => {
      const levels = groupBy(plays, (event) => event.level);
      expect(await answer('free-vs-paid')).toEqual([
        { level: 'free', plays: levels.get('free')?.length, users: 97 - 22 },
        { level: 'paid', plays: levels.get('paid')?.length, users: 22 },
      ]);
    });

    it('level changes between consecutive plays of a user', async () => {
      const changes = new Map<string, { changes: number; users: Set<string> }>();
      for (const [user, events] of groupBy(plays, (event) => event.userId)) {
        events.sort((a, b) => a.ts - b.ts);
        events.slice(1).forEach((event, index) => {
          const previous = events[index].level;
          if (previous === event.level) return;
          const entry = changes.get(`${previous} -> ${event.level}`) ?? { changes: 0, users: new Set() };
          entry.changes += 1;
          entry.users.add(String(user));
          changes.set(`${previous} -> ${event.level}`, entry);
        });
      }
      expect(await answer('level-changes')).toEqual([...changes.entries()].sort().map(([change, entry]) => ({ change, changes: entry.changes, users: entry.users.size })));
    });

    it('sessions by length and the top locations', async () => {
      const lengths = groupBy([...groupBy(plays, (event) => `${event.userId}/${event.sessionId}`).values()], (session) => session.length);
      expect(await answer('session-lengths')).toEqual(
        [...lengths.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([length, sessions]) => ({ plays_in_session: length, sessions: sessions.length })),
      );
      const locations = [...groupBy(plays, (event) => event.location).values()]
        .map((group) => ({ location: group[0].location, plays: group.length, users: distinct(group, (event) => event.userId) }))
        .sort((a, b) => b.plays - a.plays || byBytes(a.location, b.location));
      expect(await answer('top-locations')).toEqual(locations.slice(0, 10));
    });
  });
});
