import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite, openPostgres, type LocalEngine } from '../../src/local/database';
import { OWNER_MARKER } from '../../src/local/folder-ownership';
import { runCli } from '../helpers/cli';
import { createTestDatabase, ENGINES, type EngineName } from '../helpers/engines';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';

/**
 * Issue #15, "Never touch what is not ours": through `npm run local` (the user's path),
 * a run never writes, renames or deletes a folder, schema or table this tool did not make.
 */

const local = (args: readonly string[]) => runCli('local.ts', [...args]);

/** Every file under `dir` with a hash of its bytes, so a test can tell the folder is exactly as it was. */
function fingerprint(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative))) {
      const entry = path.join(relative, name);
      if (statSync(path.join(dir, entry)).isDirectory()) walk(entry);
      else files[entry] = createHash('sha256').update(readFileSync(path.join(dir, entry))).digest('hex');
    }
  };
  walk('');
  return files;
}

/** A folder of someone else's files (a nested one too), and its fingerprint. */
function someoneElsesFolder(dir: string): Record<string, string> {
  mkdirSync(path.join(dir, 'photos'), { recursive: true });
  writeFileSync(path.join(dir, 'thesis.txt'), 'four years of work\n');
  writeFileSync(path.join(dir, 'photos', 'cat.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]));
  return fingerprint(dir);
}

/** A warehouse location on one engine: the CLI arguments naming it, and a way to run SQL on it between runs. */
interface Location {
  readonly args: readonly string[];
  sql<T extends object>(query: string): Promise<T[]>;
}

const dropDatabases: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of dropDatabases) await drop();
});

/** A new, empty warehouse location on `engine`: a PGlite folder not made yet, or a new Postgres database. */
async function newLocation(engine: EngineName): Promise<Location> {
  let open: () => Promise<LocalEngine>;
  let args: string[];
  if (engine === 'pglite') {
    const db = path.join(tempDir(), 'db');
    args = ['--db', db];
    open = () => openPglite(db);
  } else {
    const database = await createTestDatabase();
    dropDatabases.push(database.drop);
    args = ['--database-url', database.url];
    open = () => openPostgres(database.url);
  }
  return {
    args,
    async sql(query) {
      const opened = await open();
      try {
        return await opened.db.query(query);
      } finally {
        await opened.close();
      }
    },
  };
}

describe.each(ENGINES)('on %s, a run', (engine) => {
  it("leaves an application's users table in public, rows and all, through a load and a --reset load", async () => {
    const where = await newLocation(engine);
    const data = dataDir([song()], [play({ userId: '7', firstName: 'Grace' })]);
    expect((await local([...where.args, '--data', data, '--json'])).code).toBe(0);
    await where.sql('CREATE TABLE public.users (id INT PRIMARY KEY, email TEXT NOT NULL)');
    await where.sql("INSERT INTO public.users VALUES (1, 'ada@example.com'), (2, 'alan@example.com')");

    const reset = await local([...where.args, '--data', data, '--reset', '--json']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ tables: { users: 1, songplays: 1 } });
    expect(await where.sql('SELECT id, email FROM public.users ORDER BY id')).toEqual([
      { id: 1, email: 'ada@example.com' },
      { id: 2, email: 'alan@example.com' },
    ]);
    expect(await where.sql('SELECT user_id, first_name FROM sparkify.users')).toEqual([{ user_id: 7, first_name: 'Grace' }]);
  });

  it('refuses another --data than the one the warehouse was loaded from, saying so (not "changed"), and --reset moves it', async () => {
    const where = await newLocation(engine);
    const first = dataDir([song()], [play()]);
    const other = dataDir([song({ song_id: 'SOOTHER000000001', title: 'Other Song' })], [play({ song: 'Other Song' })]);
    expect((await local([...where.args, '--data', first, '--json'])).code).toBe(0);

    const refused = await local([...where.args, '--data', other, '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`(schema sparkify) was loaded from ${first}, not from ${other}`);
    expect(refused.stderr).toContain('--reset');
    expect(refused.stderr).not.toMatch(/changed|--reload-changed/);
    expect(await where.sql('SELECT title FROM sparkify.songs')).toEqual([{ title: 'Test Song' }]);

    const rebuilt = await local([...where.args, '--data', other, '--reset', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(await where.sql('SELECT title FROM sparkify.songs')).toEqual([{ title: 'Other Song' }]);
    expect((await local([...where.args, '--data', other, '--json'])).code).toBe(0);
  });

  it('refuses a schema holding a table this tool did not create, and leaves the table as it was', async () => {
    const where = await newLocation(engine);
    const data = dataDir([song()], [play()]);
    // A PGlite folder must be one the tool made: it is, after a first run in another schema.
    expect((await local([...where.args, '--data', data, '--schema', 'elsewhere', '--json'])).code).toBe(0);
    await where.sql('CREATE SCHEMA shop');
    await where.sql('CREATE TABLE shop.orders (id INT)');
    await where.sql('INSERT INTO shop.orders VALUES (42)');

    for (const reset of [[], ['--reset']]) {
      const refused = await local([...where.args, '--data', data, '--schema', 'shop', ...reset]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Schema shop in ');
      expect(refused.stderr).toContain('holds tables this tool did not create (orders)');
      expect(await where.sql('SELECT id FROM shop.orders')).toEqual([{ id: 42 }]);
      expect(await where.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'shop'")).toEqual([{ tablename: 'orders' }]);
    }
  });
});

describe('a run on a PGlite --db folder', () => {
  it('refuses a non-empty folder this tool did not make, with and without --reset, leaving it byte for byte', async () => {
    const db = path.join(tempDir(), 'mine');
    const before = someoneElsesFolder(db);
    const data = dataDir([song()], [play()]);
    for (const reset of [[], ['--reset']]) {
      const run = await local(['--data', data, '--db', db, ...reset]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${db} is not a warehouse folder this tool made (it has no ${OWNER_MARKER})`);
      expect(run.stderr).toContain('Pass --db with a new or empty folder');
      expect(fingerprint(db)).toEqual(before);
    }
    expect(existsSync(`${db}.work`) || existsSync(`${db}.next`) || existsSync(`${db}.previous`)).toBe(false);
  });

  it('refuses a PGlite database of something else (no warehouse in it), leaving it byte for byte', async () => {
    const db = path.join(tempDir(), 'other-app');
    const other = await openPglite(db);
    await other.db.query('CREATE TABLE notes (body TEXT)');
    await other.close();
    const before = fingerprint(db);
    const run = await local(['--data', dataDir([song()], [play()]), '--db', db, '--reset']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${db} is not a warehouse folder this tool made`);
    expect(fingerprint(db)).toEqual(before);
  });

  it("never deletes the user's own <db>.previous, <db>.work or <db>.next: the run is refused, naming it", async () => {
    const db = path.join(tempDir(), 'db');
    const data = dataDir([song()], [play()]);
    expect((await local(['--data', data, '--db', db])).code).toBe(0);
    const liveBefore = fingerprint(db);
    for (const suffix of ['.previous', '.work', '.next']) {
      const theirs = `${db}${suffix}`;
      const before = someoneElsesFolder(theirs);
      for (const reset of [[], ['--reset']]) {
        const run = await local(['--data', data, '--db', db, ...reset]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`${theirs} is not a warehouse folder this tool made`);
        expect(fingerprint(theirs)).toEqual(before);
        expect(fingerprint(db)).toEqual(liveBefore);
      }
      rmSync(theirs, { recursive: true });
    }
  });

  it.each([
    ['the data folder itself', (data: string) => data, /--db .* is the --data folder or inside it/],
    ['a folder inside the data', (data: string) => path.join(data, 'db'), /--db .* is the --data folder or inside it/],
    ['a folder holding the data', (data: string) => path.dirname(data), /--data .* is inside the --db folder/],
  ])('refuses --db on %s with exit code 2, before touching anything', async (_case, dbOf, message) => {
    const data = dataDir([song()], [play()]);
    const before = fingerprint(data);
    const run = await local(['--data', data, '--db', dbOf(data)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(fingerprint(data)).toEqual(before);
  });
});

describe('--schema', () => {
  it.each(['Sparkify', 'pg_temp', '1abc', 'x; DROP TABLE users'])('refuses %j with exit code 2', async (schema) => {
    const db = path.join(tempDir(), 'db');
    const run = await local(['--data', dataDir([song()], [play()]), '--db', db, '--schema', schema]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--schema');
    expect(run.stderr).toContain('is not a usable schema name');
    expect(existsSync(db)).toBe(false);
  });

  it('is listed in --help with its default', async () => {
    const run = await local(['--help']);
    // Wrapped help text: compare with white space folded.
    expect(run.stdout.replace(/\s+/g, ' ')).toMatch(/--schema NAME [^-]*\(default: sparkify\)/);
  });
});
