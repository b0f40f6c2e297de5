import { existsSync, lstatSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Which folders a local run may write, rename or delete: only the ones this tool made.
 * A folder the tool creates for a PGlite warehouse gets a marker file; a folder without
 * one is the user's, and is never written into, renamed or deleted.
 */

/** The marker file in every PGlite folder this tool creates (Postgres ignores files it does not know in its data folder). */
export const OWNER_MARKER = 'sparkify-warehouse.json';

/** Thrown when a folder the run would write, rename or delete is not one this tool made. */
export class ForeignFolderError extends Error {}

/** Marks a folder this tool created as its own. */
export function markOwnFolder(dir: string): void {
  writeFileSync(path.join(dir, OWNER_MARKER), `${JSON.stringify({ createdBy: 'sparkify-warehouse local runner' })}\n`);
}

/** Whether `dir` holds the marker of a folder this tool created. */
export function isOwnFolder(dir: string): boolean {
  return existsSync(path.join(dir, OWNER_MARKER));
}

/**
 * What a path holds, for deciding whether a run may use it: nothing, an empty folder, a
 * folder this tool made, an unmarked PGlite data folder (an earlier version of this tool
 * made those; whether it is ours is decided by its tables), or something else.
 */
export type FolderState = 'absent' | 'empty' | 'ours' | 'unmarked-pglite' | 'foreign';

/** Looks at what `dir` holds, without changing it. */
export function folderState(dir: string): FolderState {
  if (!existsSync(dir)) return 'absent';
  if (!lstatSync(dir).isDirectory()) return 'foreign';
  if (readdirSync(dir).length === 0) return 'empty';
  if (isOwnFolder(dir)) return 'ours';
  if (existsSync(path.join(dir, 'PG_VERSION')) && existsSync(path.join(dir, 'base'))) return 'unmarked-pglite';
  return 'foreign';
}

/** The message refusing a folder the tool did not make. */
export function foreignFolderMessage(dir: string, role: string): string {
  return (
    `${dir} is not a warehouse folder this tool made (it has no ${OWNER_MARKER}), so ${role}; ` +
    'nothing in it was read, changed or deleted. Pass --db with a new or empty folder, or move that folder away.'
  );
}

/** The real absolute path of `target`, or of the nearest folder above it that exists, with the rest appended. */
function realPathOf(target: string): string {
  const absolute = path.resolve(target);
  if (existsSync(absolute)) return realpathSync(absolute);
  return path.join(realPathOf(path.dirname(absolute)), path.basename(absolute));
}

/**
 * Refuses a database folder that is the data folder, inside it, or holds it: a run
 * writes database files there, and `--reset` replaces the folder.
 * @returns a message saying why, or undefined when they are apart
 */
export function overlapProblem(dataDir: string, dbDir: string): string | undefined {
  const data = realPathOf(dataDir);
  const db = realPathOf(dbDir);
  const inside = (child: string, parent: string) => child === parent || child.startsWith(`${parent}${path.sep}`);
  if (inside(db, data)) return `--db ${dbDir} is the --data folder or inside it: the database would be written among the source files`;
  if (inside(data, db)) return `--data ${dataDir} is inside the --db folder ${dbDir}: a --reset would delete the source`;
  return undefined;
}

/** The real absolute path of a data folder: what a warehouse records as its source. */
export function sourcePathOf(dataDir: string): string {
  return realPathOf(dataDir);
}
