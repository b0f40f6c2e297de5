import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { mermaidErd, tablesOf } from '../sql/erd';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { quoteLiteral } from '../sql/render';
import { SQL_DIR } from '../sql/sql-files';
import { chartSvg } from './chart';
import { ERD_SCOPE, erdSvg } from './erd-svg';
import { formatCount, formatHour, formatMoment, formatQuantity, formatShare, formatShortDay, repairMojibake, utcMoment, weekdayName } from './format';
import { readAnalyticsQueries, type AnalyticsQuery, type AnalyticsReader } from './queries';
import { FOLD_AFTER, SECTIONS, formatCell, type Rows, type Section, type TableColumn } from './sections';

const STAR_TABLES = ['songplays', 'users', 'songs', 'artists', 'time'] as const;
/** The songplays columns the queries need beyond the original contract's. */
const LOGGED_PLAY_COLUMNS = ['song_title', 'artist_name'] as const;
/** The chart widths in px: half the page, or all of it. */
const HALF_WIDTH = 540;
const WIDE_WIDTH = 1130;

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One headline figure: what it is, its value, a line saying more. */
interface Tile {
  readonly label: string;
  readonly value: string;
  readonly detail: string;
}

/** The answers of every analytics query, by name. */
type Answers = ReadonlyMap<string, Rows>;

const count = (value: unknown): number => Number(value ?? 0);

/** "1–30 Nov 2018", "28 Nov – 3 Dec 2018" or "30 Dec 2018 – 2 Jan 2019", in UTC. */
export function formatPeriod(first: Date, last: Date): string {
  const year = (date: Date) => date.getUTCFullYear();
  if (year(first) !== year(last)) return `${formatShortDay(first)} ${year(first)} – ${formatShortDay(last)} ${year(last)}`;
  if (first.getUTCMonth() === last.getUTCMonth()) {
    const [, month] = formatShortDay(last).split(' ');
    const days = first.getUTCDate() === last.getUTCDate() ? `${first.getUTCDate()}` : `${first.getUTCDate()}–${last.getUTCDate()}`;
    return `${days} ${month} ${year(last)}`;
  }
  return `${formatShortDay(first)} – ${formatShortDay(last)} ${year(last)}`;
}

/** The first of the rows with the most `key`, as the query ordered them. */
function busiest(rows: Rows, key = 'plays'): Record<string, unknown> | undefined {
  return rows.reduce<Record<string, unknown> | undefined>((best, row) => (best === undefined || count(row[key]) > count(best[key]) ? row : best), undefined);
}

/** The headline figures: plays, users, paid share, conversions, match rate, busiest hour and day, the period. */
function headline(answers: Answers): { tiles: Tile[]; lead: string; caveat: string } {
  const [overview] = answers.get('overview') ?? [];
  const plays = count(overview.plays);
  const matched = count(overview.matched_plays);
  const first = utcMoment(overview.first_play as Date | string);
  const last = utcMoment(overview.last_play as Date | string);
  const upgrades = (answers.get('level-changes') ?? []).find((row) => row.change === 'free -> paid');
  const hour = busiest(answers.get('plays-by-hour') ?? []);
  const weekday = busiest(answers.get('plays-by-weekday') ?? []);
  const [song] = answers.get('top-songs') ?? [];
  const [artist] = answers.get('top-artists') ?? [];
  const tiles: Tile[] = [
    { label: 'Plays', value: formatCount(plays), detail: `by ${formatQuantity(overview.listeners, 'user', 'users')}` },
    { label: 'Users', value: formatCount(overview.users), detail: `${formatCount(overview.paid_users)} paid now` },
    { label: 'Paid share', value: formatShare(count(overview.paid_plays), plays), detail: `of plays: ${formatCount(overview.paid_plays)} paid` },
    {
      label: 'Free → paid',
      value: formatQuantity(count(upgrades?.users), 'user', 'users'),
      detail: `upgraded, ${formatQuantity(count(upgrades?.changes), 'time', 'times')}`,
    },
    { label: 'Matched to catalogue', value: `${formatCount(matched)} of ${formatCount(plays)}`, detail: `plays (${formatShare(matched, plays)})` },
    {
      label: 'Busiest hour',
      value: hour ? `${formatHour(count(hour.hour))} UTC` : '–',
      detail: hour ? formatQuantity(hour.plays, 'play', 'plays') : '',
    },
    { label: 'Busiest day', value: weekday ? weekdayName(count(weekday.weekday)) : '–', detail: weekday ? formatQuantity(weekday.plays, 'play', 'plays') : '' },
    { label: 'Period (UTC)', value: formatPeriod(first, last), detail: `${formatQuantity(answers.get('plays-per-day')?.length ?? 0, 'day', 'days')} with plays` },
  ];
  if (song) {
    tiles.push({ label: 'Most played song', value: repairMojibake(String(song.title)), detail: `${repairMojibake(String(song.artist))}, ${formatQuantity(song.plays, 'play', 'plays')}` });
  }
  if (artist) tiles.push({ label: 'Most played artist', value: repairMojibake(String(artist.artist)), detail: formatQuantity(artist.plays, 'play', 'plays') });
  const lead = `${formatQuantity(plays, 'play', 'plays')} by ${formatQuantity(overview.listeners, 'user', 'users')}, from ${formatMoment(first)} to ${formatMoment(last)}.`;
  const share = formatShare(matched, plays);
  const caveat =
    matched === plays
      ? 'Every play matched a song of the catalogue.'
      : `${formatCount(matched)} of ${formatCount(plays)} plays (${share}) matched a song of the catalogue (title, artist and duration all agree), ` +
        'so songs and artists here are counted over all plays, by the title and artist the app logged.';
  return { tiles, lead, caveat };
}

function htmlTable(section: Section, rows: Rows): string {
  if (rows.length === 0) return '<p class="none">No rows.</p>';
  const numeric = (column: TableColumn) => column.kind === 'count';
  const head = [...(section.ranked ? ['<th class="num">#</th>'] : []), ...section.columns.map((column) => `<th${numeric(column) ? ' class="num"' : ''}>${escapeHtml(column.label)}</th>`)];
  const body = rows.map((row, index) => {
    const cells = section.columns.map((column) => `<td${numeric(column) ? ' class="num"' : ''}>${escapeHtml(formatCell(column, row[column.key]))}</td>`);
    return `<tr>${section.ranked ? `<td class="num rank">${index + 1}</td>` : ''}${cells.join('')}</tr>`;
  });
  const table = `<table><thead><tr>${head.join('')}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`;
  return rows.length > FOLD_AFTER ? `<details class="rows"><summary>All ${formatCount(rows.length)} rows</summary>${table}</details>` : table;
}

/** A section of a query the report has no presentation for: its question and a plain table. */
function plainSection(query: AnalyticsQuery): Section {
  return {
    query: query.name,
    title: query.question,
    wide: true,
    takeaway: () => undefined,
    columns: [],
  };
}

async function sectionHtml(section: Section, query: AnalyticsQuery, rows: Rows): Promise<string> {
  const presented: Section =
    section.columns.length > 0 ? section : { ...section, columns: Object.keys(rows[0] ?? {}).map((key) => ({ key, label: key, kind: typeof rows[0][key] === 'number' ? 'count' : 'text' })) };
  const takeaway = presented.takeaway(rows);
  const chart = rows.length > 0 && presented.chart ? `<div class="chart">${await chartSvg(presented.chart(rows, presented.wide ? WIDE_WIDTH : HALF_WIDTH))}</div>` : '';
  return `<section id="${escapeHtml(query.name)}" class="card${presented.wide ? ' wide' : ''}">
<h2>${escapeHtml(presented.title)}</h2>
${takeaway ? `<p class="takeaway">${escapeHtml(takeaway)}</p>` : ''}
${chart}
${htmlTable(presented, rows)}
<details class="how"><summary>How this is counted</summary><p>${escapeHtml(query.question)}</p><pre>${escapeHtml(query.sql)}</pre></details>
</section>`;
}

const STYLE = `
:root { --accent: #3a6ea5; --muted: #5f6670; --line: #e3e6ea; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 0 0 6px; font-size: 18px; }
.lead { margin: 0 0 16px; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin: 0 0 14px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 0; }
.tile .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.tile .value { font-size: 22px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tile .detail { font-size: 13px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.caveat { background: #fff8e1; border: 1px solid #f0dca0; border-radius: 8px; padding: 8px 14px; margin: 0 0 20px; }
.sections { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.takeaway { margin: 0 0 10px; }
.chart svg { display: block; width: 100%; height: auto; }
.erd svg { display: block; width: auto; max-width: 100%; height: auto; margin: 0 auto; }
.chart { margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eceff3; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; border-bottom-color: #d5d9de; }
.num { text-align: right; white-space: nowrap; }
.rank { color: var(--muted); }
details { margin-top: 8px; font-size: 13px; }
summary { cursor: pointer; color: var(--accent); }
details.how p { margin: 6px 0; color: var(--muted); }
pre { background: #f6f8fa; border-radius: 6px; padding: 10px 12px; overflow-x: auto; font-size: 12px; }
.empty { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 24px 28px; margin: 16px 0 20px; }
.empty h2 { font-size: 22px; }
code { background: #eef1f4; border-radius: 4px; padding: 1px 5px; font-size: 13px; }
footer { margin-top: 24px; color: var(--muted); font-size: 13px; }
@media (max-width: 960px) { .sections { grid-template-columns: 1fr; } .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
`;

async function schemaSection(): Promise<string> {
  const erd = mermaidErd(tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8')));
  return `<section id="schema" class="card wide">
<h2>The star schema</h2>
<p class="takeaway">The tables the answers come from, drawn from <code>sql/03_create_star.sql</code>: <code>songplays</code> holds one row per play; <code>song_title</code> and <code>artist_name</code> are what the app logged, <code>song_id</code> and <code>artist_id</code> are set only for plays matched to the catalogue.</p>
<div class="${ERD_SCOPE}">${await erdSvg(erd)}</div>
<details class="how"><summary>Mermaid source</summary><pre>${escapeHtml(erd)}</pre></details>
</section>`;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sparkify analytics</title>
<style>${STYLE}</style></head><body><main>
${body}
</main></body></html>
`;
}

/**
 * The page for a warehouse with no plays (or none at all): nothing loaded yet, how to
 * load, and the schema the load will fill.
 */
export async function emptyReport(howToLoad: string, generatedAt: Date = new Date()): Promise<string> {
  return page(`<h1>Sparkify analytics</h1>
<div class="empty" id="nothing-loaded"><h2>Nothing loaded yet</h2>
<p>The warehouse holds no plays, so there is nothing to report. Load the event logs and songs first, then run the report again:</p>
<pre>${escapeHtml(howToLoad)}</pre></div>
${await schemaSection()}
<footer>Generated ${escapeHtml(formatMoment(generatedAt))}.</footer>`);
}

/**
 * The columns songplays has, none when the table does not exist (nothing was ever
 * loaded). Read from the catalog, which every user may read: information_schema shows
 * only the tables a user may use, so a reader without the grant would see "nothing
 * loaded" instead of being refused. The schema is named, not taken from
 * current_schema(), for the same reason: the search path skips a schema the reader may
 * not use.
 */
async function songplaysColumns(db: AnalyticsReader): Promise<string[]> {
  const schema = quoteLiteral(DEFAULT_WAREHOUSE_SCHEMA);
  const rows = await db.query<{ column_name: string; usable: boolean }>(
    `SELECT attribute.attname AS column_name, HAS_SCHEMA_PRIVILEGE(schema.nspname, 'USAGE') AS usable
     FROM pg_catalog.pg_attribute AS attribute
     INNER JOIN pg_catalog.pg_class AS relation ON attribute.attrelid = relation.oid
     INNER JOIN pg_catalog.pg_namespace AS schema ON relation.relnamespace = schema.oid
     WHERE schema.nspname = ${schema} AND relation.relname = 'songplays' AND attribute.attnum > 0 AND NOT attribute.attisdropped`,
  );
  // The search path skips a schema the reader may not use: its queries would say "does not exist".
  if (rows.length > 0 && !rows[0].usable) {
    throw new Error(`permission denied for schema ${DEFAULT_WAREHOUSE_SCHEMA}: this reader has no USAGE on the warehouse's schema (the database role analysts has it)`);
  }
  return rows.map((row) => row.column_name);
}

/**
 * A self-contained HTML report of the analytics queries on a warehouse (local, or the
 * deployed one through the Data API): the headline
 * figures first (plays, users, paid share, conversions, how many plays matched the
 * catalogue, busiest hour and day, the period), then a section per question with its
 * takeaway, a chart (inline SVG, rendered server-side) and its table (folded when
 * long), then the schema drawn as an SVG. A warehouse with no plays gets a page
 * saying nothing is loaded yet. Opens with no network.
 * @throws when the warehouse was built before songplays kept the logged title and artist, saying how to rebuild it;
 *   when the reader may not use the warehouse's schema
 */
export async function buildReport(db: AnalyticsReader, generatedAt: Date = new Date()): Promise<string> {
  const columns = await songplaysColumns(db);
  const missing = LOGGED_PLAY_COLUMNS.filter((column) => !columns.includes(column));
  if (columns.length > 0 && missing.length > 0) {
    throw new Error(
      `This warehouse was built before songplays kept each play's logged title and artist (no ${missing.join(', ')} column): ` +
        'rebuild it with npm run local -- --reset (add the --data or --database-url you used), then run the report again.',
    );
  }
  const queries = readAnalyticsQueries();
  const answers = new Map<string, Rows>();
  if (columns.length > 0) {
    for (const query of queries) answers.set(query.name, await db.query<Record<string, unknown>>(query.sql));
  }
  const [overview] = answers.get('overview') ?? [];
  if (!overview || count(overview.plays) === 0) return emptyReport(db.howToLoad, generatedAt);
  const generated = `Generated ${escapeHtml(formatMoment(generatedAt))}.`;
  const { tiles, lead, caveat } = headline(answers);
  const counts: string[] = [];
  // One after the other: a Postgres client runs one query at a time.
  for (const table of STAR_TABLES) {
    const [{ rows }] = await db.query<{ rows: number }>(`SELECT COUNT(*) AS rows FROM ${table}`);
    counts.push(`${table} ${formatCount(rows)}`);
  }
  const byName = new Map(queries.map((query) => [query.name, query]));
  const shown = SECTIONS.filter((section) => byName.has(section.query));
  const others = queries.filter((query) => query.name !== 'overview' && !SECTIONS.some((section) => section.query === query.name));
  const sections: string[] = [];
  for (const section of shown) {
    const query = byName.get(section.query) as AnalyticsQuery;
    sections.push(await sectionHtml(section, query, answers.get(query.name) ?? []));
  }
  for (const query of others) sections.push(await sectionHtml(plainSection(query), query, answers.get(query.name) ?? []));
  const repaired = [...answers.values()].some((rows) => rows.some((row) => Object.values(row).some((value) => typeof value === 'string' && repairMojibake(value) !== value)));
  return page(`<h1>Sparkify analytics</h1>
<p class="lead">${escapeHtml(lead)}</p>
<div class="tiles" id="headline">
${tiles.map((tile) => `<div class="tile"><div class="label">${escapeHtml(tile.label)}</div><div class="value" title="${escapeHtml(tile.value)}">${escapeHtml(tile.value)}</div><div class="detail" title="${escapeHtml(tile.detail)}">${escapeHtml(tile.detail)}</div></div>`).join('\n')}
</div>
<p class="caveat" id="match-rate">${escapeHtml(caveat)}</p>
<div class="sections">
${sections.join('\n')}
${await schemaSection()}
</div>
<footer id="about">${generated} Built from a warehouse holding ${escapeHtml(counts.join(', '))} rows. Times are UTC. The queries are
<code>sql/analytics/*.sql</code>, in the Redshift dialect: <code>npm run query -- --name top-songs</code> runs one on a deployed warehouse.${
    repaired ? ' Names the app logged with broken encoding (“BjÃ¶rk” for “Björk”) are shown repaired.' : ''
  }</footer>`);
}
