import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { withWarehouse } from '../../src/local/local-warehouse';
import { PROJECT_ROOT, runCli, startCli, waitFor } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { warehouseSnapshot } from '../helpers/snapshot';

// Big enough that a PGlite load takes seconds, so a signal lands in its middle.
const options: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 200, days: 4, songs: 100, events: 80_000 };
const { addDay, dataWithDays } = generatedDays(options);

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('stopping a PGlite load', { timeout: 180_000 }, () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s mid-load stops it, exit %i, "interrupted: nothing changed", the warehouse as it was', async (signal, code) => {
    const dbDir = path.join(tempDir(), 'db');
    const data = dataWithDays([0]);
    expect((await runCli('local.ts', ['--db', dbDir, '--data', data])).code).toBe(0);
    const before = await withWarehouse({ dbDir }, (engine) => warehouseSnapshot(engine.db));

    // Three more days of the same source (a warehouse loads from one source only).
    for (const day of [1, 2, 3]) addDay(data, day);
    const run = startCli('local.ts', ['--db', dbDir, '--data', data]);
    await waitFor(() => /read\+parse: .* staging_events/.test(run.stderr()), 60_000, 'the load to be under way');
    run.child.kill(signal);
    const result = await run.finished;
    expect(result.code, result.stderr).toBe(code);
    expect(result.stderr).toContain('interrupted: nothing changed');
    expect(result.stdout).toBe('');
    expect(existsSync(`${dbDir}.lock`)).toBe(false);
    expect(await withWarehouse({ dbDir }, (engine) => warehouseSnapshot(engine.db))).toEqual(before);
  });

  it('a loader whose parent is killed with SIGKILL stops, lets go of the lock and changes nothing', async () => {
    const dbDir = path.join(tempDir(), 'db');
    const tsx = require.resolve('tsx/cjs');
    const cli = path.join(PROJECT_ROOT, 'src', 'cli', 'local.ts');
    // A shell that stays the loader's parent (it has more to do after it), as `npm run` does.
    const command = `"${process.execPath}" --require "${tsx}" "${cli}" --db "${dbDir}" --data "${dataWithDays([0, 1, 2, 3])}" 2>"${dbDir}.stderr"; echo done`;
    const parent = spawn('sh', ['-c', command], { cwd: PROJECT_ROOT });
    await waitFor(() => existsSync(`${dbDir}.lock`), 60_000, 'the loader to hold the warehouse');
    const loader = Number.parseInt(readFileSync(`${dbDir}.lock`, 'utf8'), 10);
    expect(isRunning(loader)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isRunning(loader), 30_000, 'the orphaned loader to stop');
    expect(existsSync(`${dbDir}.lock`)).toBe(false);
    expect(existsSync(dbDir)).toBe(false);
  });
});
