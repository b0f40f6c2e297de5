import type { TopLevelSpec } from 'vega-lite';
import { columns, daily, rankedBars, type Datum } from './chart';
import { formatCount, formatDay, formatHour, formatQuantity, formatShare, repairMojibake, weekdayName, weekdayShort } from './format';

/** A query's rows, as the engine returns them. */
export type Rows = readonly Record<string, unknown>[];

/** A column of a section's table: the row's key, its heading, how a value is written. */
export interface TableColumn {
  readonly key: string;
  readonly label: string;
  /** Numbers are right-aligned and written with thousands separators. */
  readonly kind: 'count' | 'text' | 'day' | 'hour' | 'weekday' | 'change';
}

/** How the report shows one analytics query. */
export interface Section {
  /** The query's name (its file's, with dashes). */
  readonly query: string;
  /** The section's heading: what a person looks for, not a file name. */
  readonly title: string;
  /** Across the whole page (long names, days) instead of half of it. */
  readonly wide?: boolean;
  /** The one sentence an analyst wants from the section, from its rows (none without rows). */
  readonly takeaway: (rows: Rows) => string | undefined;
  /** The chart of the rows; none without rows. */
  readonly chart?: (rows: Rows, width: number) => TopLevelSpec;
  /** The table's columns; a table of more than {@link FOLD_AFTER} rows is folded. */
  readonly columns: readonly TableColumn[];
  /** Numbers each row (1, 2, …): the rows are a ranking. */
  readonly ranked?: boolean;
}

/** Tables longer than this are folded (details/summary) under their chart. */
export const FOLD_AFTER = 12;

const count = (value: unknown): number => Number(value ?? 0);
const text = (value: unknown): string => repairMojibake(String(value ?? '(not logged)'));
const total = (rows: Rows, key: string): number => rows.reduce((sum, row) => sum + count(row[key]), 0);
/** The row with the largest `key`; the first of equals, as the query orders them. */
const largest = (rows: Rows, key: string): Record<string, unknown> | undefined =>
  rows.reduce<Record<string, unknown> | undefined>((best, row) => (best === undefined || count(row[key]) > count(best[key]) ? row : best), undefined);
const plural = formatQuantity;
/** "free -> paid" as a person writes it: "free → paid". */
export const formatChange = (value: unknown): string => String(value ?? '').replace(/\s*->\s*/, ' → ');

/** Every hour of the day, 0 for the hours without plays, so gaps show. */
function everyHour(rows: Rows): Datum[] {
  const plays = new Map(rows.map((row) => [count(row.hour), count(row.plays)]));
  return Array.from({ length: 24 }, (_, hour) => ({ label: hour, value: plays.get(hour) ?? 0 }));
}

/** Every weekday, Sunday first (0, as EXTRACT(dow)), 0 for the days without plays. */
function everyWeekday(rows: Rows): Datum[] {
  const plays = new Map(rows.map((row) => [count(row.weekday), count(row.plays)]));
  return Array.from({ length: 7 }, (_, weekday) => ({ label: weekdayShort(weekday), value: plays.get(weekday) ?? 0 }));
}

/** Every day from the first to the last with plays ("YYYY-MM-DD"), 0 for days without, so a quiet day shows as one. */
function everyDay(rows: Rows): Datum[] {
  if (rows.length === 0) return [];
  const plays = new Map(rows.map((row) => [String(row.play_date), count(row.plays)]));
  const days = [...plays.keys()].sort();
  const data: Datum[] = [];
  for (let day = new Date(`${days[0]}T00:00:00Z`); day <= new Date(`${days[days.length - 1]}T00:00:00Z`); day.setUTCDate(day.getUTCDate() + 1)) {
    const label = day.toISOString().slice(0, 10);
    data.push({ label, value: plays.get(label) ?? 0 });
  }
  return data;
}

/** Session lengths a person compares: 1 to 5 songs one by one, then wider ranges, up to the longest session's. */
const SESSION_BUCKETS: readonly (readonly [number, number])[] = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 10], [11, 20], [21, 50], [51, 100], [101, Infinity]];

/** The sessions in each bucket of {@link SESSION_BUCKETS}, up to the bucket of the longest session. */
export function sessionBuckets(rows: Rows): Datum[] {
  const longest = Math.max(0, ...rows.map((row) => count(row.plays_in_session)));
  return SESSION_BUCKETS.filter(([low]) => low <= longest).map(([low, high]) => ({
    label: low === high ? String(low) : high === Infinity ? `over ${low - 1}` : `${low}–${high}`,
    value: total(rows.filter((row) => count(row.plays_in_session) >= low && count(row.plays_in_session) <= high), 'sessions'),
  }));
}

/** The median of a distribution given as (value, how many) rows. */
function median(rows: Rows, valueKey: string, countKey: string): number | undefined {
  const sorted = [...rows].sort((a, b) => count(a[valueKey]) - count(b[valueKey]));
  const half = total(sorted, countKey) / 2;
  let seen = 0;
  for (const row of sorted) {
    seen += count(row[countKey]);
    if (seen >= half) return count(row[valueKey]);
  }
  return undefined;
}

/** How the report shows each query, in the page's order. A query missing here is shown as a plain table. */
export const SECTIONS: readonly Section[] = [
  {
    query: 'top-songs',
    title: 'Most played songs',
    wide: true,
    ranked: true,
    takeaway: (rows) => {
      const [top] = rows;
      if (!top) return undefined;
      return `“${text(top.title)}” by ${text(top.artist)} is played most: ${plural(count(top.plays), 'play', 'plays')} by ${plural(count(top.listeners), 'user', 'users')}.`;
    },
    chart: (rows, width) =>
      rankedBars(
        rows.map((row) => ({ label: `${text(row.title)} — ${text(row.artist)}`, value: count(row.plays) })),
        { title: 'Plays of the 10 most played songs', valueTitle: 'plays', width, labelLimit: 330 },
      ),
    columns: [
      { key: 'title', label: 'Song', kind: 'text' },
      { key: 'artist', label: 'Artist', kind: 'text' },
      { key: 'plays', label: 'Plays', kind: 'count' },
      { key: 'listeners', label: 'Listeners', kind: 'count' },
      { key: 'matched_plays', label: 'Matched to catalogue', kind: 'count' },
    ],
  },
  {
    query: 'top-artists',
    title: 'Most played artists',
    ranked: true,
    takeaway: (rows) => {
      const [top] = rows;
      if (!top) return undefined;
      return `${text(top.artist)} is played most: ${plural(count(top.plays), 'play', 'plays')} of ${plural(count(top.songs), 'song', 'songs')}, by ${plural(count(top.listeners), 'user', 'users')}.`;
    },
    chart: (rows, width) =>
      rankedBars(
        rows.map((row) => ({ label: text(row.artist), value: count(row.plays) })),
        { title: 'Plays of the 10 most played artists', valueTitle: 'plays', width, labelLimit: 210 },
      ),
    columns: [
      { key: 'artist', label: 'Artist', kind: 'text' },
      { key: 'plays', label: 'Plays', kind: 'count' },
      { key: 'listeners', label: 'Listeners', kind: 'count' },
      { key: 'songs', label: 'Songs played', kind: 'count' },
    ],
  },
  {
    query: 'top-locations',
    title: 'Where the plays come from',
    ranked: true,
    takeaway: (rows) => {
      const [top] = rows;
      if (!top) return undefined;
      return `Most plays come from ${text(top.location)}: ${plural(count(top.plays), 'play', 'plays')} by ${plural(count(top.users), 'user', 'users')}.`;
    },
    chart: (rows, width) =>
      rankedBars(
        rows.map((row) => ({ label: text(row.location), value: count(row.plays) })),
        { title: 'Plays from the 10 busiest locations', valueTitle: 'plays', width, labelLimit: 260 },
      ),
    columns: [
      { key: 'location', label: 'Location', kind: 'text' },
      { key: 'plays', label: 'Plays', kind: 'count' },
      { key: 'users', label: 'Users', kind: 'count' },
    ],
  },
  {
    query: 'plays-per-day',
    title: 'Plays per day',
    wide: true,
    takeaway: (rows) => {
      const busiest = largest(rows, 'plays');
      if (!busiest) return undefined;
      const days = everyDay(rows).length;
      return `The busiest day was ${formatDay(String(busiest.play_date))}: ${plural(count(busiest.plays), 'play', 'plays')} by ${plural(count(busiest.users), 'user', 'users')}; ${formatCount(total(rows, 'plays') / days)} plays a day on average over ${plural(days, 'day', 'days')}.`;
    },
    chart: (rows, width) => daily(everyDay(rows), { title: 'Plays per day (UTC)', valueTitle: 'plays', width }),
    columns: [
      { key: 'play_date', label: 'Day (UTC)', kind: 'day' },
      { key: 'plays', label: 'Plays', kind: 'count' },
      { key: 'users', label: 'Users', kind: 'count' },
    ],
  },
  {
    query: 'plays-by-hour',
    title: 'Plays by hour of day',
    takeaway: (rows) => {
      const busiest = largest(rows, 'plays');
      if (!busiest) return undefined;
      const hour = count(busiest.hour);
      return `The busiest hour is ${formatHour(hour)}–${formatHour((hour + 1) % 24)} UTC: ${plural(count(busiest.plays), 'play', 'plays')}, ${formatShare(count(busiest.plays), total(rows, 'plays'))} of all.`;
    },
    chart: (rows, width) => columns(everyHour(rows), { title: 'Plays by hour of day', categoryTitle: 'hour of day (UTC)', valueTitle: 'plays', width }),
    columns: [
      { key: 'hour', label: 'Hour (UTC)', kind: 'hour' },
      { key: 'plays', label: 'Plays', kind: 'count' },
    ],
  },
  {
    query: 'plays-by-weekday',
    title: 'Plays by day of the week',
    takeaway: (rows) => {
      const busiest = largest(rows, 'plays');
      const quietest = rows.reduce<Record<string, unknown> | undefined>((low, row) => (low === undefined || count(row.plays) < count(low.plays) ? row : low), undefined);
      if (!busiest || !quietest) return undefined;
      return `${weekdayName(count(busiest.weekday))} is the busiest day (${plural(count(busiest.plays), 'play', 'plays')}), ${weekdayName(count(quietest.weekday))} the quietest (${formatCount(quietest.plays)}).`;
    },
    chart: (rows, width) => columns(everyWeekday(rows), { title: 'Plays by day of the week', categoryTitle: 'day of the week (UTC)', valueTitle: 'plays', width }),
    columns: [
      { key: 'weekday', label: 'Day', kind: 'weekday' },
      { key: 'plays', label: 'Plays', kind: 'count' },
    ],
  },
  {
    query: 'free-vs-paid',
    title: 'Free and paid',
    takeaway: (rows) => {
      const paid = rows.find((row) => row.level === 'paid');
      if (rows.length === 0) return undefined;
      const paidPlays = count(paid?.plays);
      const paidUsers = count(paid?.users);
      return `Paid users play ${formatShare(paidPlays, total(rows, 'plays'))} of the songs, and ${formatCount(paidUsers)} of ${plural(total(rows, 'users'), 'user', 'users')} are paid now.`;
    },
    chart: (rows, width) =>
      rankedBars(
        rows.map((row) => ({ label: String(row.level), value: count(row.plays) })),
        { title: 'Plays by level', valueTitle: 'plays', width, labelLimit: 80 },
      ),
    columns: [
      { key: 'level', label: 'Level', kind: 'text' },
      { key: 'plays', label: 'Plays', kind: 'count' },
      { key: 'users', label: 'Users now', kind: 'count' },
    ],
  },
  {
    query: 'level-changes',
    title: 'Upgrades and downgrades',
    takeaway: (rows) => {
      if (rows.length === 0) return 'No user changed level between two of their plays.';
      const up = rows.find((row) => row.change === 'free -> paid');
      const down = rows.find((row) => row.change === 'paid -> free');
      return (
        `${plural(count(up?.users), 'user', 'users')} upgraded from free to paid (${plural(count(up?.changes), 'time', 'times')}); ` +
        `${plural(count(down?.users), 'user', 'users')} went back to free (${plural(count(down?.changes), 'time', 'times')}).`
      );
    },
    chart: (rows, width) =>
      rankedBars(
        rows.map((row) => ({ label: formatChange(row.change), value: count(row.users) })),
        { title: 'Users who changed level between two plays', valueTitle: 'users', width, labelLimit: 100 },
      ),
    columns: [
      { key: 'change', label: 'Change', kind: 'change' },
      { key: 'changes', label: 'Times', kind: 'count' },
      { key: 'users', label: 'Users', kind: 'count' },
    ],
  },
  {
    query: 'session-lengths',
    title: 'Songs per session',
    wide: true,
    takeaway: (rows) => {
      const middle = median(rows, 'plays_in_session', 'sessions');
      if (middle === undefined) return undefined;
      const longest = Math.max(...rows.map((row) => count(row.plays_in_session)));
      return `Of ${plural(total(rows, 'sessions'), 'session', 'sessions')}, half hold ${plural(middle, 'song', 'songs')} or fewer; the longest holds ${formatCount(longest)}.`;
    },
    chart: (rows, width) =>
      columns(sessionBuckets(rows), { title: 'Sessions by the number of songs played in them', categoryTitle: 'songs played in the session', valueTitle: 'sessions', width }),
    columns: [
      { key: 'plays_in_session', label: 'Songs in the session', kind: 'count' },
      { key: 'sessions', label: 'Sessions', kind: 'count' },
    ],
  },
];

/** A cell of a section's table, as text. */
export function formatCell(column: TableColumn, value: unknown): string {
  switch (column.kind) {
    case 'count':
      return formatCount(value);
    case 'day':
      return value instanceof Date || typeof value === 'string' ? formatDay(value) : String(value ?? '');
    case 'hour':
      return `${formatHour(count(value))}–${formatHour((count(value) + 1) % 24)}`;
    case 'weekday':
      return weekdayName(count(value));
    case 'change':
      return formatChange(value);
    case 'text':
      return text(value);
  }
}
