import * as path from 'node:path';
import { openPostgres, type LocalEngine } from './database';
import { DatabaseBusyError, lockDatabaseDir } from './lock';
import { withPgliteCopy } from './pglite-store';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { adaptForPostgres } from '../sql/postgres';
import { enterSchemaStatement } from '../sql/search-path';

/**
 * Makes the warehouse's schema the session's search path, so readers (the report, a
 * test's snapshot) find its tables as the load's own statements do.
 */
async function enterSchema(engine: LocalEngine, schema: string): Promise<void> {
  await engine.db.query(adaptForPostgres(enterSchemaStatement(schema)));
}

/** Where a local warehouse lives when no folder or server is named: the PGlite folder of `npm run local`. */
export const DEFAULT_DB_DIR = path.join('.sparkify', 'db');

/** Where the local warehouse lives: a PGlite folder, or a Postgres server. */
export type WarehouseLocation = { readonly dbDir: string } | { readonly databaseUrl: string };

/** An arbitrary constant naming this project's advisory lock on a Postgres server. */
const POSTGRES_LOAD_LOCK = 7_210_465_118;

/**
 * Opens the warehouse for one run, lets `work` change it, and closes it, so that two
 * runs never load at once and a failed or killed run leaves it as it was:
 * - PGlite: a lock file refuses a second run; work happens on a copy swapped in at the end.
 * - Postgres: an advisory lock refuses a second run; the server's transaction does the rest.
 * @param schema the warehouse's schema, made the session's search path before `work`
 * @throws DatabaseBusyError when another run holds the warehouse
 */
export async function withWarehouse<T>(
  location: WarehouseLocation,
  work: (engine: LocalEngine) => Promise<T>,
  schema: string = DEFAULT_WAREHOUSE_SCHEMA,
): Promise<T> {
  if ('dbDir' in location) {
    const release = lockDatabaseDir(location.dbDir);
    try {
      return await withPgliteCopy(location.dbDir, async (engine) => {
        await enterSchema(engine, schema);
        return work(engine);
      });
    } finally {
      release();
    }
  }
  const engine = await openPostgres(location.databaseUrl);
  try {
    const [{ locked }] = await engine.db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${POSTGRES_LOAD_LOCK}) AS locked`);
    if (!locked) {
      throw new DatabaseBusyError('Another run is loading this Postgres database (it holds the load lock); wait for it to finish.');
    }
    await enterSchema(engine, schema);
    return await work(engine);
  } finally {
    await engine.close();
  }
}

/** How to name a location in messages, without a password from a URL. */
export function describeLocation(location: WarehouseLocation): string {
  if ('dbDir' in location) return location.dbDir;
  try {
    const url = new URL(location.databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the --database-url server';
  }
}
