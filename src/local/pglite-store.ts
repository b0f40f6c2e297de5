import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { openPglite, type LocalEngine } from './database';

/**
 * Where a PGlite warehouse's folders are during a run. PGlite is not crash-safe on the
 * Node filesystem (a kill mid-transaction can leave a folder that no longer opens), so a
 * run never writes the live folder: it works on a copy and swaps it in by renames only
 * after the copy committed and closed cleanly.
 */
function folders(dir: string) {
  return { live: dir, work: `${dir}.work`, next: `${dir}.next`, previous: `${dir}.previous` };
}

/**
 * Finishes or undoes what an interrupted run left. A `.next` folder is complete (it is
 * renamed so only after a clean close), so it becomes live; a `.work` folder may be
 * half-written, so it is removed. Call it holding the folder's lock.
 */
export function recoverPgliteFolder(dir: string): void {
  const { live, work, next, previous } = folders(dir);
  rmSync(work, { recursive: true, force: true });
  if (existsSync(next)) {
    if (existsSync(live)) {
      rmSync(previous, { recursive: true, force: true });
      renameSync(live, previous);
    }
    renameSync(next, live);
  }
  rmSync(previous, { recursive: true, force: true });
}

/**
 * Runs `work` on a copy of the PGlite warehouse in `dir` (a new, empty one when `fresh`
 * or when there is none yet) and makes the copy live only when `work` resolves. When it
 * throws, or the process dies, the live folder is exactly as before.
 * Call it holding the folder's lock.
 */
export async function withPgliteCopy<T>(dir: string, fresh: boolean, work: (engine: LocalEngine) => Promise<T>): Promise<T> {
  const { live, work: workDir, next, previous } = folders(dir);
  recoverPgliteFolder(dir);
  if (!fresh && existsSync(live)) cpSync(live, workDir, { recursive: true });
  let result: T;
  try {
    const engine = await openPglite(workDir);
    try {
      result = await work(engine);
    } finally {
      await engine.close();
    }
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  renameSync(workDir, next);
  if (existsSync(live)) renameSync(live, previous);
  renameSync(next, live);
  rmSync(previous, { recursive: true, force: true });
  return result;
}
