import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { mermaidErd, tablesOf } from '../sql/erd';
import { SQL_DIR } from '../sql/sql-files';
import { barChartSvg } from './chart';
import { readAnalyticsQueries, runAnalyticsQuery } from './queries';

const STAR_TABLES = ['songplays', 'users', 'songs', 'artists', 'time'] as const;

function escapeHtml(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : String(value ?? '');
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function htmlTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '<p>No rows.</p>';
  const columns = Object.keys(rows[0]);
  const head = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = rows.map((row) => `<tr>${columns.map((column) => `<td>${escapeHtml(row[column])}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A self-contained HTML report of the analytics queries on a warehouse: for each
 * question, a chart (inline SVG, rendered server-side) and its table; what data it was
 * built from (row counts, the time range of the plays), when, and the schema's ERD
 * (Mermaid source). Opens with no network.
 */
export async function buildReport(db: LocalDatabase, generatedAt: Date = new Date()): Promise<string> {
  const counts = await Promise.all(
    STAR_TABLES.map(async (table) => {
      const [{ rows }] = await db.query<{ rows: number }>(`SELECT COUNT(*) AS rows FROM ${table}`);
      return { table, rows: Number(rows) };
    }),
  );
  const [range] = await db.query<{ first_play: Date | null; last_play: Date | null }>(
    'SELECT MIN(start_time) AS first_play, MAX(start_time) AS last_play FROM songplays',
  );
  const sections: string[] = [];
  for (const query of readAnalyticsQueries()) {
    const rows = await runAnalyticsQuery<Record<string, unknown>>(db, query);
    const [category, value] = Object.keys(rows[0] ?? {});
    const chart = rows.length > 0 && value ? await barChartSvg(rows, category, value, query.name) : '';
    sections.push(
      `<section id="${escapeHtml(query.name)}"><h2>${escapeHtml(query.question)}</h2>\n<div class="chart">${chart}</div>\n${htmlTable(rows)}</section>`,
    );
  }
  const erd = mermaidErd(tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8')));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sparkify analytics</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 2rem; } td, th { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
th { background: #f3f3f3; } .chart svg { max-width: 100%; height: auto; } pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
</style></head><body>
<h1>Sparkify analytics</h1>
<p>Generated ${escapeHtml(generatedAt)} from a warehouse holding plays from ${escapeHtml(range?.first_play ?? 'none')} to ${escapeHtml(range?.last_play ?? 'none')}.</p>
${htmlTable(counts)}
${sections.join('\n')}
<section id="schema"><h2>The star schema (Mermaid ERD, from sql/03_create_star.sql)</h2><pre>${escapeHtml(erd)}</pre></section>
</body></html>
`;
}
