import { formatTable } from '../text-table';
import { TABLES, type LocalRunReport } from './runner';

/** The JSON a `--json` run prints: the report without the reject details. */
export function reportJson(report: LocalRunReport): string {
  return JSON.stringify({
    tables: report.tables,
    matchedSongplays: report.matchedSongplays,
    rejected: report.rejected,
    checks: report.checks.map(({ name, ok }) => ({ name, ok })),
    loadedFiles: report.loadedFiles,
    skippedFiles: report.skippedFiles,
  });
}

/** The report as aligned plain-text tables for a terminal. */
export function reportTable(report: LocalRunReport): string {
  const counts: [string, string][] = [
    ...TABLES.map((table): [string, string] => [table, report.tables[table].toLocaleString('en-US')]),
    ['songplays matched to a song', report.matchedSongplays.toLocaleString('en-US')],
  ];
  const files: [string, string][] = [
    ['files loaded', String(report.loadedFiles)],
    ['files skipped', String(report.skippedFiles)],
    ['records rejected', String(report.rejected)],
  ];
  const checks: [string, string][] = report.checks.map((check) => [
    check.name,
    check.ok ? 'ok' : `FAILED (${check.failures} rows)`,
  ]);
  return [table('table', 'rows', counts), table('load', '', files), table('check', 'result', checks)].join('\n\n');
}

function table(left: string, right: string, rows: readonly [string, string][]): string {
  return formatTable([left, right], rows);
}
