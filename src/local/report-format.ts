import { formatTable } from '../text-table';
import { formatDuration } from '../text-units';
import { rejectLines } from './reject-lines';
import { TABLES, type LocalRunReport } from './runner';

/**
 * The JSON a `--json` run prints: counts, every rejected record (at most MAXERROR per
 * COPY) and the checks, a failed one with its count and first offending keys.
 */
export function reportJson(report: LocalRunReport): string {
  return JSON.stringify({
    tables: report.tables,
    matchedSongplays: report.matchedSongplays,
    rejected: report.rejected,
    rejects: report.rejects.map(({ file, line, reason }) => ({ file, line, reason })),
    checks: report.checks.map(({ name, ok, failures, offenders }) => (ok ? { name, ok } : { name, ok, failures, offenders })),
    loadedFiles: report.loadedFiles,
    skippedFiles: report.skippedFiles,
  });
}

/**
 * What a run says on stderr about its rejected records: the count, then `file:line:
 * reason` for the first 20 and a count of the rest; nothing when none were rejected.
 */
export function rejectsMessage(report: LocalRunReport): string | undefined {
  if (report.rejected === 0) return undefined;
  return [`${report.rejected} record(s) rejected (within --max-errors) and not loaded:`, ...rejectLines(report.rejects)].join('\n');
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
    check.ok ? 'ok' : `FAILED (${check.failures} rows${check.offenders.length > 0 ? `: ${check.offenders.join('; ')}` : ''})`,
  ]);
  return [table('table', 'rows', counts), table('load', '', files), table('check', 'result', checks)].join('\n\n');
}

function table(left: string, right: string, rows: readonly [string, string][]): string {
  return formatTable([left, right], rows);
}

/** Where a run left the warehouse, what it loaded and how long it took. */
export interface RunSummary {
  /** The warehouse's PGlite folder, or its server's URL without the password. */
  readonly warehouse: string;
  /** The schema its tables are in. */
  readonly schema: string;
  /** The data folder the run loaded from. */
  readonly source: string;
  /** The run's time, from start to end, in seconds. */
  readonly seconds: number;
}

/** The end of a run's report: where the warehouse is, what it came from, how long it took. */
export function runSummaryTable(summary: RunSummary): string {
  return formatTable(
    ['run', ''],
    [
      ['warehouse', summary.warehouse],
      ['schema', summary.schema],
      ['source', summary.source],
      ['took', formatDuration(summary.seconds)],
    ],
    2,
  );
}
