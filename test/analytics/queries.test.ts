import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAnalyticsQueries, runAnalyticsQuery } from '../../src/analytics/queries';
import { listJsonFiles } from '../../src/local/local-copy';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';

const SAMPLE = UDACITY_SAMPLE;
const present = udacitySamplePresent('the analytics answers');

interface Event {
  userId: string;
  sessionId: number;
  itemInSession: number;
  page: string;
  ts: number;
  level: string;
  location: string;
}

/** The sample's plays, counted from the raw files in plain JavaScript, independently of the SQL. */
function plays(): Event[] {
  const events = listJsonFiles(path.join(SAMPLE, 'log_data')).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Event),
  );
  const unique = new Map<string, Event>();
  for (const event of events.filter((e) => e.page === 'NextSong')) {
    unique.set(`${event.userId}/${event.sessionId}/${event.itemInSession}`, event);
  }
  return [...unique.values()];
}

function countBy<T>(items: readonly T[], key: (item: T) => string | number): Map<string | number, number> {
  const counts = new Map<string | number, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('the analytics queries', () => {
  it('each start with the question they answer and use one statement', () => {
    const queries = readAnalyticsQueries();
    expect(queries.map((query) => query.name)).toEqual([
      'free-vs-paid',
      'level-changes',
      'plays-by-hour',
      'plays-by-weekday',
      'plays-per-day',
      'session-lengths',
      'top-artists',
      'top-locations',
      'top-songs',
    ]);
    for (const query of queries) expect(query.question).toMatch(/\?/);
  });
});

describe.runIf(present)('the analytics answers on the real sample', () => {
  const shared = sharedWarehouse();
  const queries = Object.fromEntries(readAnalyticsQueries().map((query) => [query.name, query]));
  const answer = (name: string) => runAnalyticsQuery<Record<string, unknown>>(shared.engine().db, queries[name]);
  const sample = present ? plays() : [];

  beforeAll(async () => {
    await shared.load({ dataDir: SAMPLE });
  });

  it('top songs: the one matched play, Setanta matins by Elena', async () => {
    expect(await answer('top-songs')).toEqual([{ title: 'Setanta matins', artist: 'Elena', plays: 1 }]);
    expect(await answer('top-artists')).toEqual([{ artist: 'Elena', plays: 1, listeners: 1 }]);
  });

  it('plays by hour: every hour with its count, the busiest as the files say', async () => {
    const expected = countBy(sample, (event) => new Date(event.ts).getUTCHours());
    const rows = await answer('plays-by-hour');
    expect(rows).toEqual([...expected.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([hour, count]) => ({ hour, plays: count })));
    const busiest = [...expected.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(rows.reduce((top, row) => (Number(row.plays) > Number(top.plays) ? row : top))).toEqual({ hour: busiest[0], plays: busiest[1] });
  });

  it('plays by weekday (0 = Sunday)', async () => {
    const expected = countBy(sample, (event) => new Date(event.ts).getUTCDay());
    expect(await answer('plays-by-weekday')).toEqual(
      [...expected.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([weekday, count]) => ({ weekday, plays: count })),
    );
  });

  it('free vs paid: plays per level, and 22 paid users now', async () => {
    const byLevel = countBy(sample, (event) => event.level);
    const rows = await answer('free-vs-paid');
    expect(rows).toEqual([
      { level: 'free', plays: byLevel.get('free'), users: 97 - 22 },
      { level: 'paid', plays: byLevel.get('paid'), users: 22 },
    ]);
  });

  it('level changes between consecutive plays of a user', async () => {
    const byUser = new Map<string, Event[]>();
    for (const event of sample) byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), event]);
    const changes = new Map<string, { changes: number; users: Set<string> }>();
    for (const [user, events] of byUser) {
      events.sort((a, b) => a.ts - b.ts);
      events.slice(1).forEach((event, index) => {
        const previous = events[index].level;
        if (previous === event.level) return;
        const key = `${previous} -> ${event.level}`;
        const entry = changes.get(key) ?? { changes: 0, users: new Set() };
        entry.changes += 1;
        entry.users.add(user);
        changes.set(key, entry);
      });
    }
    expect(await answer('level-changes')).toEqual(
      [...changes.entries()].sort().map(([change, entry]) => ({ change, changes: entry.changes, users: entry.users.size })),
    );
  });

  it('top locations, sessions by length and plays per day add up to all plays', async () => {
    const locations = await answer('top-locations');
    const topLocation = [...countBy(sample, (event) => event.location).entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])))[0];
    expect(locations[0]).toMatchObject({ location: topLocation[0], plays: topLocation[1] });
    const sessions = await answer('session-lengths');
    expect(sessions.reduce((sum, row) => sum + Number(row.plays_in_session) * Number(row.sessions), 0)).toBe(sample.length);
    const days = await answer('plays-per-day');
    const expectedDays = countBy(sample, (event) => new Date(event.ts).toISOString().slice(0, 10));
    expect(days.map((row) => [(row.play_date as Date).toISOString().slice(0, 10), row.plays])).toEqual([...expectedDays.entries()].sort());
  });
});
