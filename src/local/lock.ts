import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import * as path from 'node:path';

/** Thrown when another live process holds the database's lock. */
export class DatabaseBusyError extends Error {}

/**
 * Takes an exclusive lock on a local database folder: a `<dir>.lock` file holding the
 * owner's pid, created atomically. PGlite has no lock of its own, and two processes
 * writing one folder corrupt it. A lock left by a process that is gone is taken over.
 * @returns a function that releases the lock
 * @throws DatabaseBusyError when a live process holds it
 */
export function lockDatabaseDir(dir: string): () => void {
  const lockFile = `${path.resolve(dir)}.lock`;
  mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseBusyError(
          `The database in ${dir} is in use by another run (pid ${owner}); wait for it to finish. ` +
            `If no such run exists, delete ${lockFile}.`,
        );
      }
      rmSync(lockFile, { force: true }); // stale: its owner is gone
    }
  }
  throw new DatabaseBusyError(`Could not take the lock ${lockFile}: another run keeps taking it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
