import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The project's `sql/` folder: the single source of the warehouse's SQL. */
export const SQL_DIR = path.resolve(__dirname, '..', '..', 'sql');

/** A numbered SQL file of the load, in run order. */
export interface SqlFile {
  /** The file name, e.g. `04_copy.sql`. */
  readonly name: string;
  /** The file's text. */
  readonly text: string;
}

const NUMBERED_SQL_FILE = /^\d{2}_[a-z0-9_]+\.sql$/;

/**
 * Reads the numbered files (`NN_name.sql`) of a SQL folder in run order.
 * Sub-folders and other files are not part of the load and are left out.
 */
export function readSqlFiles(dir: string = SQL_DIR): SqlFile[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && NUMBERED_SQL_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) {
    throw new Error(`No numbered SQL files (NN_name.sql) in ${dir}`);
  }
  return names.map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** A SHA-256 over the files' names and texts: it changes whenever any of them does. */
export function hashSqlFiles(files: readonly SqlFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.name).update('\0').update(file.text).update('\0');
  }
  return hash.digest('hex');
}
