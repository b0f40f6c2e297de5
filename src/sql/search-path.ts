import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_WAREHOUSE_SCHEMA } from './plan';
import { SqlIdentifier, renderTemplate } from './render';
import { SQL_DIR } from './sql-files';
import { splitStatements } from './split';

/** The statement a session that reads the warehouse starts with, written once in sql/. */
const ENTER_SCHEMA_FILE = path.join('scheduled', '00_activate_schema.sql');

/**
 * The statement making the warehouse's schema (created by the deploy's or the local
 * load) the session's search path, for sessions that only read it: a query through the
 * Data API, a local report. It is sql/scheduled/00_activate_schema.sql, which opens a
 * scheduled load for the same reason.
 * @param schema the warehouse's schema; @default {@link DEFAULT_WAREHOUSE_SCHEMA}
 * @throws when `schema` is not a usable schema name
 */
export function enterSchemaStatement(schema: string = DEFAULT_WAREHOUSE_SCHEMA, sqlDir: string = SQL_DIR): string {
  const statements = splitStatements(readFileSync(path.join(sqlDir, ENTER_SCHEMA_FILE), 'utf8'));
  if (statements.length !== 1) throw new Error(`sql/${ENTER_SCHEMA_FILE} must hold one statement, not ${statements.length}`);
  return renderTemplate(statements[0].sql, { schema: new SqlIdentifier(schema) });
}
