import { segmentSql } from './lexer';
import { buildLoadPlan } from './plan';
import { readSqlFiles, SQL_DIR } from './sql-files';

/**
 * The row counts every load reports, written once: as the column names of the summary
 * statement of `sql/` (07_summary.sql). Reads files, so the Lambda bundles do not import
 * it: the deploy load takes the names from the summary's result instead.
 */

/**
 * The names a query's outermost SELECT gives its columns (`... AS name`, before its FROM), in order.
 * @throws when the query names none
 */
export function summaryColumns(sql: string): string[] {
  const code = segmentSql(sql)
    .map((segment) => (segment.kind === 'code' ? segment.text : ' '))
    .join('');
  const columns: string[] = [];
  let depth = 0;
  for (const token of code.match(/\(|\)|\bFROM\b|\bAS\s+[A-Za-z_][A-Za-z0-9_]*/gi) ?? []) {
    if (token === '(') depth += 1;
    else if (token === ')') depth -= 1;
    else if (depth > 0) continue;
    else if (/^FROM$/i.test(token)) break; // the column list ends; what follows names tables
    else columns.push(token.replace(/^AS\s+/i, '').toLowerCase());
  }
  if (columns.length === 0) throw new Error(`The summary query names no column (… AS name): ${sql.slice(0, 60)}`);
  return columns;
}

/** The summary statement's SQL, from a `sql/` folder. */
export function readSummarySql(sqlDir: string = SQL_DIR): string {
  // The summary renders no placeholder: any source builds the same statement.
  const source = { bucket: 'b', region: 'r', songPrefix: 's', logPrefix: 'l', jsonPathsKey: 'j', copyRoleArn: 'a', maxErrors: 0 };
  const summaries = buildLoadPlan(readSqlFiles(sqlDir), source).filter((statement) => statement.kind === 'summary');
  if (summaries.length !== 1) throw new Error(`sql/ must have one summary statement, found ${summaries.length}`);
  return summaries[0].sql;
}

/** The columns of sql/'s summary: staging_events, staging_songs, the star tables, matched_songplays. */
export const SUMMARY_COLUMNS: readonly string[] = summaryColumns(readSummarySql());
