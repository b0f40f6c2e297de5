import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Client, types } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The few operations the local runner needs from a Postgres engine. */
export interface LocalDatabase {
  /** Runs one statement, with `$1`… bound to `params` when given, and returns its rows. */
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Bulk-loads CSV text (COPY ... FROM STDIN, CSV format) into the given columns. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
}

/** A local database that can open a transaction and be closed. */
export interface LocalEngine {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (db: LocalDatabase) => Promise<T>): Promise<T>;
  /** Runs statements outside a transaction. */
  readonly db: LocalDatabase;
  close(): Promise<void>;
}

function copyCommand(table: string, columns: readonly string[], source: string): string {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return `COPY ${quote(table)} (${columns.map(quote).join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

function pgliteDatabase(target: PGlite | Transaction): LocalDatabase {
  return {
    async query<Row extends object>(sql: string, params?: readonly unknown[]) {
      return (await target.query<Row>(sql, params ? [...params] : undefined)).rows;
    },
    async copyCsv(table, columns, csv) {
      await target.query(copyCommand(table, columns, "'/dev/blob'"), [], { blob: new Blob([csv]) });
    },
  };
}

/**
 * Opens PGlite, the embedded Postgres, keeping its files in `dataDir`
 * (in memory when `dataDir` is undefined: fine for small tests, slow past ~100k rows).
 */
export async function openPglite(dataDir?: string): Promise<LocalEngine> {
  const pglite = await PGlite.create(dataDir);
  return {
    db: pgliteDatabase(pglite),
    transaction: (work) => pglite.transaction((tx) => work(pgliteDatabase(tx))),
    close: () => pglite.close(),
  };
}

/**
 * Connects to a Postgres server (`postgres://user@host:port/db`). Values come back as
 * PGlite returns them (see {@link numberAwareParser}), so both engines report alike.
 */
export async function openPostgres(url: string): Promise<LocalEngine> {
  const client = new Client({ connectionString: url, types: { getTypeParser: numberAwareParser } });
  await client.connect();
  const db: LocalDatabase = {
    async query<Row extends object>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params ? [...params] : undefined);
      // A multi-statement text returns one result per statement: the runner sends one.
      return (Array.isArray(result) ? [] : result.rows) as Row[];
    },
    async copyCsv(table, columns, csv) {
      await pipeline(Readable.from([csv]), client.query(copyFrom(copyCommand(table, columns, 'STDIN'))));
    },
  };
  return {
    db,
    async transaction(work) {
      await client.query('BEGIN');
      try {
        const result = await work(db);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    close: () => client.end(),
  };
}

const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;

/** Parses BIGINT and NUMERIC as numbers and TIMESTAMP (without time zone) as UTC, as PGlite does. */
function numberAwareParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8) return (value) => (Number.isSafeInteger(Number(value)) ? Number(value) : value);
  if (oid === NUMERIC) return Number;
  if (oid === TIMESTAMP) return (value) => new Date(`${value.replace(' ', 'T')}Z`);
  return types.getTypeParser(oid, format as 'text');
}
