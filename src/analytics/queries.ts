import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { adaptForPostgres } from '../sql/postgres';
import { SQL_DIR } from '../sql/sql-files';
import { splitStatements } from '../sql/split';

/** The folder of the analytics queries (Redshift dialect, one question per file). */
export const ANALYTICS_DIR = path.join(SQL_DIR, 'analytics');

/** An analytics query: its name (the file's), the question it answers, its SQL. */
export interface AnalyticsQuery {
  readonly name: string;
  readonly question: string;
  readonly sql: string;
}

/** Every query of sql/analytics/, by name; the question is the comment the file starts with. */
export function readAnalyticsQueries(dir: string = ANALYTICS_DIR): AnalyticsQuery[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const statements = splitStatements(readFileSync(path.join(dir, file), 'utf8'));
      if (statements.length !== 1) throw new Error(`sql/analytics/${file}: one query per file, found ${statements.length}`);
      const [{ sql, leadingComments }] = statements;
      if (leadingComments.length === 0) throw new Error(`sql/analytics/${file}: start with a comment stating the question`);
      return { name: file.replace(/\.sql$/, '').replace(/_/g, '-'), question: leadingComments.join(' '), sql };
    });
}

/**
 * Where the report's queries run: it takes statements in the Redshift dialect of sql/
 * and runs them as its engine needs (a local Postgres through the adaptation, the
 * deployed warehouse as they are).
 */
export interface AnalyticsReader {
  query<Row extends object = Record<string, unknown>>(redshiftSql: string): Promise<Row[]>;
  /** How this warehouse gets loaded, as shell lines for a page that finds nothing loaded yet. */
  readonly howToLoad: string;
}

/** How a local warehouse gets loaded: the generated sample or the user's own data, then the report again. */
export const LOCAL_LOADING = `npm run local                          # the generated sample
npm run local -- --data path/to/data   # your own song_data/ and log_data/
npm run report`;

/** A local warehouse as an {@link AnalyticsReader}: each statement goes through the Postgres adaptation. */
export function localReader(db: LocalDatabase): AnalyticsReader {
  return { query: <Row extends object>(redshiftSql: string) => db.query<Row>(adaptForPostgres(redshiftSql)), howToLoad: LOCAL_LOADING };
}

/** Runs one analytics query on a local warehouse (through the Postgres adaptation). */
export function runAnalyticsQuery<Row extends object = Record<string, unknown>>(db: LocalDatabase, query: AnalyticsQuery): Promise<Row[]> {
  return localReader(db).query<Row>(query.sql);
}
