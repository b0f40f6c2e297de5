import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { runCli } from '../helpers/cli';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';

const local = (args: string[], cwd?: string) => runCli('local.ts', args, cwd);

describe('sparkify-local', () => {
  it('explains itself with --help', async () => {
    const run = await local(['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--data DIR', '--db DIR', '--reset', '--max-errors N', '--json']) expect(run.stdout).toContain(option);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--max-errors', 'many'], /--max-errors needs a whole number/],
    [['--data'], /argument missing|--data/],
  ])('refuses bad options %j with exit code 2', async (args, message) => {
    const run = await local(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('--help');
  });

  it('builds from a generated sample by default, with only JSON on stdout', async () => {
    const cwd = tempDir();
    const run = await local(['--json'], cwd);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(['tables', 'matchedSongplays', 'rejected', 'checks', 'loadedFiles', 'skippedFiles']);
    expect(report.tables.staging_events).toBe(DEFAULT_SAMPLE.events);
    expect(report.tables.staging_songs).toBe(DEFAULT_SAMPLE.songs);
    expect(report.matchedSongplays).toBeGreaterThan(0);
    expect(report.checks.every((check: { ok: boolean }) => check.ok)).toBe(true);
    expect(existsSync(path.join(cwd, '.sparkify', 'sample', 'log_json_path.json'))).toBe(true);
    expect(existsSync(path.join(cwd, '.sparkify', 'db'))).toBe(true);
  });

  it('prints readable tables without --json', async () => {
    const data = dataDir([song()], [play()]);
    const run = await local(['--data', data, '--db', path.join(tempDir(), 'db')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^staging_events\s+1$/m);
    expect(run.stdout).toMatch(/^songplays matched to a song\s+1$/m);
    expect(run.stdout).toMatch(/^songplays_user_in_users\s+ok$/m);
  });

  it('exits 1 with file:line: reason when a COPY rejects more than --max-errors, and keeps the warehouse', async () => {
    const db = path.join(tempDir(), 'db');
    const good = await local(['--data', dataDir([song()], [play()]), '--db', db, '--json']);
    expect(good.code).toBe(0);
    const bad = dataDir([song()], [play(), play({ ts: 'noon', itemInSession: 1 })]);
    const run = await local(['--data', bad, '--db', db, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${path.join(bad, 'log_data/2018/11/2018-11-01-events.json')}:2: ts is not a whole number: "noon"`);
    expect(run.stderr).toMatch(/warehouse is as it was/);
    const tolerated = await local(['--data', bad, '--db', db, '--json', '--max-errors', '1']);
    expect(tolerated.code).toBe(0);
    expect(JSON.parse(tolerated.stdout)).toMatchObject({ rejected: 1, tables: { staging_events: 1 } });
    const after = await local(['--data', dataDir([song()], [play()]), '--db', db, '--json']);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(good.stdout));
  });

  it('exits 1 and names a failed check, rolling the load back', async () => {
    const anonymousPlay = play({ userId: '', auth: 'Logged Out' });
    const run = await local(['--data', dataDir([], [play(), anonymousPlay]), '--db', path.join(tempDir(), 'db'), '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/check\(s\) failed: songplays_user_in_users \(1 rows\)/);
    expect(run.stderr).toMatch(/rolled back/);
    const report = JSON.parse(run.stdout);
    expect(report.checks).toContainEqual({ name: 'songplays_user_in_users', ok: false });
  });

  it('refuses a database another live run holds, and takes over a stale lock', async () => {
    const db = path.join(tempDir(), 'db');
    const data = dataDir([song()], [play()]);
    writeFileSync(`${db}.lock`, String(process.pid));
    const busy = await local(['--data', data, '--db', db]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`in use by another run (pid ${process.pid})`);
    writeFileSync(`${db}.lock`, '2147483646');
    const stale = await local(['--data', data, '--db', db]);
    expect(stale.code).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});
