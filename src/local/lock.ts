import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Thrown when another live process holds the database's lock. */
export class DatabaseBusyError extends Error {}

/**
 * Takes an exclusive lock on a local database folder: a `<dir>.lock` file naming its
 * owner (`pid token`). PGlite has no lock of its own, and two processes writing one
 * folder corrupt it. Every step is one atomic file operation, so two runs never both
 * hold it:
 * - the lock is made by writing a file of our own and hard-linking it to `<dir>.lock`
 *   (a link fails if the name exists, and the lock is never seen half-written);
 * - a lock whose owner is gone is taken over only by the one run that creates
 *   `<dir>.lock.<its token>.takeover` (exclusive create), which then renames its own
 *   file over the lock: the lock is never absent, so no other run can create it
 *   meanwhile, and a run that read the same stale owner finds the takeover made.
 * @returns a function that releases the lock
 * @throws DatabaseBusyError when a live process holds it
 */
export function lockDatabaseDir(dir: string): () => void {
  const lockFile = `${path.resolve(dir)}.lock`;
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const owner = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const mine = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, owner);
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (tryLink(mine, lockFile)) return releaser(lockFile, owner);
      const current = readOwner(lockFile);
      if (current === undefined) continue; // released meanwhile: try again
      const pid = Number.parseInt(current, 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseBusyError(
          `The database in ${dir} is in use by another run (pid ${pid}); wait for it to finish. ` +
            `If no such run exists, delete ${lockFile}.`,
        );
      }
      if (takeOver(lockFile, current, mine)) return releaser(lockFile, owner);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new DatabaseBusyError(
    `Could not take the lock ${lockFile}: other runs keep taking it, or one died taking over a stale lock. ` +
      `If no run is going, delete ${lockFile} and ${lockFile}.*.takeover.`,
  );
}

/**
 * Replaces the lock held by the dead owner `stale` with ours, if this run is the one that
 * claims that owner's takeover.
 */
function takeOver(lockFile: string, stale: string, mine: string): boolean {
  const claim = `${lockFile}.${stale.replace(/\W/g, '_')}.takeover`;
  try {
    writeFileSync(claim, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false; // another run is taking it over
    throw error;
  }
  try {
    // Only the claim's holder replaces this owner's lock, and the owner is dead: if the lock
    // still names it, nobody else can change it before our rename.
    if (readOwner(lockFile) !== stale) return false;
    renameSync(mine, lockFile);
    return true;
  } finally {
    rmSync(claim, { force: true });
  }
}

function tryLink(file: string, lockFile: string): boolean {
  try {
    linkSync(file, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readOwner(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes the lock if it is still ours. */
function releaser(lockFile: string, owner: string): () => void {
  return () => {
    if (readOwner(lockFile) === owner) rmSync(lockFile, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
