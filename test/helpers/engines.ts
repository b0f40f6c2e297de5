import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openPglite, openPostgres, type LocalEngine } from '../../src/local/database';

/** The Postgres server the tests may use (scripts/test-postgres.sh prints one). */
const SERVER_URL = process.env.SPARKIFY_TEST_DATABASE_URL;

if (!SERVER_URL && process.env.CI) {
  throw new Error('CI runs every engine test on native Postgres too: set SPARKIFY_TEST_DATABASE_URL (see .ci/run)');
}

/** The engines the ETL tests run on: PGlite always, native Postgres where a server is given. */
export type EngineName = 'pglite' | 'postgres';
export const ENGINES: readonly EngineName[] = SERVER_URL ? ['pglite', 'postgres'] : ['pglite'];

if (!SERVER_URL) {
  console.warn('SPARKIFY_TEST_DATABASE_URL is not set: the ETL tests run on PGlite only (CI runs them on Postgres too).');
}

/** A new, empty database on the test server; returns its URL and a function dropping it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!SERVER_URL) throw new Error('No SPARKIFY_TEST_DATABASE_URL');
  const name = `sparkify_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleaner = new Client({ connectionString: SERVER_URL });
      await cleaner.connect();
      await cleaner.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleaner.end();
    },
  };
}

/** Opens an engine of the given kind on a new, empty database; `close` also removes it. */
export async function openTestEngine(name: EngineName): Promise<LocalEngine> {
  if (name === 'pglite') return openPglite();
  const database = await createTestDatabase();
  const engine = await openPostgres(database.url);
  return {
    ...engine,
    async close() {
      await engine.close();
      await database.drop();
    },
  };
}
