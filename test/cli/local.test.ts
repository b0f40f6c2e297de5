import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { openPglite } from '../../src/local/database';
import { runCli } from '../helpers/cli';
import { dataDir, play, song, tempDir, writeTree } from '../helpers/fixtures';

const local = (args: string[], cwd?: string) => runCli('local.ts', args, cwd);

/** Row counts of a PGlite warehouse folder, read directly from its schema. */
async function tableCounts(dbDir: string): Promise<Record<string, number>> {
  const engine = await openPglite(dbDir);
  try {
    const tables = ['staging_events', 'staging_songs', 'songplays', 'users', 'songs', 'artists', 'time'];
    const counts = Object.fromEntries(
      await Promise.all(
        [...tables, 'load_manifest'].map(async (table) => {
          const [{ rows }] = await engine.db.query<{ rows: number }>(`SELECT COUNT(*) AS rows FROM sparkify.${table}`);
          return [table === 'load_manifest' ? 'manifest' : table, rows];
        }),
      ),
    );
    return counts;
  } finally {
    await engine.close();
  }
}

describe('sparkify-local', () => {
  it('explains itself with --help', async () => {
    const run = await local(['--help']);
    expect(run.code).toBe(0);
    for (const option of ['--data DIR', '--db DIR', '--schema NAME', '--reset', '--max-errors N', '--json']) expect(run.stdout).toContain(option);
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
    expect(Object.keys(report)).toEqual(['tables', 'matchedSongplays', 'rejected', 'rejects', 'checks', 'loadedFiles', 'skippedFiles']);
    expect(report.tables.staging_events).toBe(DEFAULT_SAMPLE.events);
    expect(report.tables.staging_songs).toBe(DEFAULT_SAMPLE.songs);
    expect(report.matchedSongplays).toBeGreaterThan(0);
    expect(report.checks.every((check: { ok: boolean }) => check.ok)).toBe(true);
    expect(existsSync(path.join(cwd, '.sparkify', 'sample', 'log_json_path.json'))).toBe(true);
    expect(existsSync(path.join(cwd, '.sparkify', 'db'))).toBe(true);
  });

  it('prints readable tables without --json', async () => {
    const data = dataDir([song()], [play()]);
    const db = path.join(tempDir(), 'db');
    const run = await local(['--data', data, '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^staging_events\s+1$/m);
    expect(run.stdout).toMatch(/^songplays matched to a song\s+1$/m);
    expect(run.stdout).toMatch(/^songplays_user_in_users\s+ok$/m);
    // It ends saying where the warehouse is, what it was loaded from and how long it took.
    const end = run.stdout.slice(run.stdout.lastIndexOf('\nrun'));
    expect(end).toContain(`\nwarehouse  PGlite folder ${db}\n`);
    expect(end).toContain('\nschema     sparkify\n');
    expect(end).toContain(`\nsource     ${data}\n`);
    expect(end).toMatch(/\ntook {7}(\d+m)?\d+(\.\d)?s\n$/);
  });

  it('exits 1 with file:line: reason when a COPY rejects more than --max-errors, and keeps the warehouse', async () => {
    const db = path.join(tempDir(), 'db');
    const data = dataDir([song()], [play()]);
    const good = await local(['--data', data, '--db', db, '--json']);
    expect(good.code).toBe(0);
    const newDay = path.join(data, 'log_data/2018/11/2018-11-02-events.json');
    writeTree(data, { 'log_data/2018/11/2018-11-02-events.json': [play({ itemInSession: 1 }), play({ ts: 'noon', itemInSession: 2 })] });
    const run = await local(['--data', data, '--db', db, '--json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${newDay}:2: ts is not a whole number: "noon"`);
    expect(run.stderr).toContain(`The warehouse (${db}) is as it was before this run.`);
    expect(await tableCounts(db)).toEqual({ ...JSON.parse(good.stdout).tables, manifest: 2 });
    const tolerated = await local(['--data', data, '--db', db, '--json', '--max-errors', '1']);
    expect(tolerated.code).toBe(0);
    expect(JSON.parse(tolerated.stdout)).toMatchObject({
      rejected: 1,
      rejects: [{ file: newDay, line: 2, reason: 'ts is not a whole number: "noon"' }],
      loadedFiles: 1,
      skippedFiles: 2,
      tables: { staging_events: 1, songplays: 2 },
    });
    expect(tolerated.stderr).toContain(`1 record(s) rejected (within --max-errors) and not loaded:\n${newDay}:2: ts is not a whole number: "noon"`);
  });

  it('exits 1 and names a failed check, rolling the load back', async () => {
    const anonymousPlay = play({ userId: '', auth: 'Logged Out' });
    const run = await local(['--data', dataDir([], [play(), anonymousPlay]), '--db', path.join(tempDir(), 'db'), '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('check(s) failed: songplays_user_in_users (1 rows: user_id NULL session_id 1 item_in_session 0)');
    expect(run.stderr).toMatch(/rolled back/);
    const report = JSON.parse(run.stdout);
    expect(report.checks).toContainEqual({
      name: 'songplays_user_in_users',
      ok: false,
      failures: 1,
      offenders: ['user_id NULL session_id 1 item_in_session 0'],
    });
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
