import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { openPglite, type LocalEngine } from './database';
import { ForeignFolderError, folderState, foreignFolderMessage, markOwnFolder } from './folder-ownership';

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
 * Refuses a folder the run would replace, rename or delete unless this tool made it
 * (its marker) or it is empty or absent. The live folder may also be an unmarked PGlite
 * folder of an earlier version: {@link withPgliteCopy} decides by its tables.
 * @throws ForeignFolderError naming the folder
 */
function refuseForeignFolders(dir: string): void {
  const { live, work, next, previous } = folders(dir);
  if (folderState(live) === 'foreign') throw new ForeignFolderError(foreignFolderMessage(live, 'it cannot hold the warehouse'));
  for (const sibling of [work, next, previous]) {
    const state = folderState(sibling);
    if (state !== 'absent' && state !== 'ours' && state !== 'empty') {
      throw new ForeignFolderError(
        foreignFolderMessage(sibling, `a run on --db ${dir}, which keeps its working copies there, cannot start`),
      );
    }
  }
}

/**
 * Finishes or undoes what an interrupted run left. A `.next` folder is complete (it is
 * renamed so only after a clean close), so it becomes live; a `.work` folder may be
 * half-written, so it is removed. Only folders this tool made are touched (see
 * {@link refuseForeignFolders}). Call it holding the folder's lock.
 * @throws ForeignFolderError when one of them is not this tool's
 */
export function recoverPgliteFolder(dir: string): void {
  refuseForeignFolders(dir);
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
 * Whether an unmarked PGlite folder is a warehouse an earlier version of this tool made:
 * it holds that version's `public.load_manifest`. Opened on a copy, so the folder itself is
 * never written.
 */
async function isEarlierWarehouse(engine: LocalEngine): Promise<boolean> {
  const [{ present }] = await engine.db.query<{ present: boolean }>("SELECT to_regclass('public.load_manifest') IS NOT NULL AS present");
  return present;
}

/**
 * Runs `work` on a copy of the PGlite warehouse in `dir` (a new, empty one when there is
 * none yet) and makes the copy live only when `work` resolves. When it throws, or the
 * process dies, the live folder is exactly as before. A folder this tool did not make is
 * never replaced: a non-empty `dir` must hold the tool's marker, or be a PGlite folder
 * holding an earlier version's warehouse (then it gets the marker). A rebuild starts
 * from the copy too, and drops only the warehouse's own tables (sql/01_drop.sql): what
 * else the folder's database holds stays.
 * Call it holding the folder's lock.
 * @throws ForeignFolderError when `dir` or one of its working folders is not this tool's
 */
export async function withPgliteCopy<T>(dir: string, work: (engine: LocalEngine) => Promise<T>): Promise<T> {
  const { live, work: workDir, next, previous } = folders(dir);
  recoverPgliteFolder(dir);
  const liveState = folderState(live);
  if (liveState === 'ours' || liveState === 'unmarked-pglite') cpSync(live, workDir, { recursive: true });
  let result: T;
  try {
    const engine = await openPglite(workDir);
    markOwnFolder(workDir);
    try {
      if (liveState === 'unmarked-pglite' && !(await isEarlierWarehouse(engine))) {
        throw new ForeignFolderError(foreignFolderMessage(live, 'it is a PGlite database of something else and cannot hold the warehouse'));
      }
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
