import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseBusyError, lockDatabaseDir } from '../../src/local/lock';
import { PROJECT_ROOT, runNode } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** The pid of a process that has ended (so no live process has it, barring reuse). */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('exit', () => resolve(child.pid as number));
  });
}

/**
 * A process that waits until `startAt` (epoch ms), tries the lock, and prints `held`
 * (then holds it for `holdMs`) or `busy`.
 */
function contender(dir: string, startAt: number, holdMs: number) {
  const script = `
    const { lockDatabaseDir, DatabaseBusyError } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'src/local/lock.ts'))});
    while (Date.now() < ${startAt}) {}
    try {
      const release = lockDatabaseDir(${JSON.stringify(dir)});
      console.log('held');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${holdMs});
      release();
    } catch (error) {
      if (!(error instanceof DatabaseBusyError)) throw error;
      console.log('busy');
    }`;
  return runNode(['--require', require.resolve('tsx/cjs'), '-e', script]);
}

describe('the PGlite folder lock', () => {
  it('is released by its holder, leaving no file, and can be taken again', () => {
    const dir = path.join(tempDir(), 'db');
    lockDatabaseDir(dir)();
    expect(readdirSync(path.dirname(dir))).toEqual([]);
    lockDatabaseDir(dir)();
  });

  it('names the live owner when another process holds it', async () => {
    const dir = path.join(tempDir(), 'db');
    writeFileSync(`${dir}.lock`, `${process.ppid} someone`);
    expect(() => lockDatabaseDir(dir)).toThrow(DatabaseBusyError);
    expect(() => lockDatabaseDir(dir)).toThrow(new RegExp(`in use by another run \\(pid ${process.ppid}\\)`));
  });

  it('a stale lock is taken over by exactly one of many processes racing for it', { timeout: 120_000 }, async () => {
    const dir = path.join(tempDir(), 'db');
    for (let round = 0; round < 6; round += 1) {
      writeFileSync(`${dir}.lock`, String(await deadPid()));
      // Every contender starts at the same instant, once all have started up.
      const startAt = Date.now() + 3000;
      const results = await Promise.all(Array.from({ length: 8 }, () => contender(dir, startAt, 1500)));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(results.map((result) => result.stdout.trim()).sort()).toEqual(['busy', 'busy', 'busy', 'busy', 'busy', 'busy', 'busy', 'held']);
      expect(readdirSync(path.dirname(dir)).filter((name) => name.startsWith('db.'))).toEqual([]);
    }
  });
});
