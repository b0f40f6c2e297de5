import { PGlite, type Transaction } from '@electric-sql/pglite';
import { Client, types } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A column of a statement's result: its name and its Postgres type (the type's oid). */
export interface ResultColumn {
  readonly name: string;
  readonly typeId: number;
}

/** All one statement answered: its columns (none when it has no result set), its rows in column order, the rows it changed. */
export interface StatementResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly unknown[])[];
  /** Rows an INSERT, UPDATE or DELETE changed (0 for other statements). */
  readonly affectedRows: number;
}

/** The few operations the local runner needs from a Postgres engine. */
export interface LocalDatabase {
  /** Runs one statement, with `$1`… bound to `params` when given, and returns its rows. */
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs one statement and returns its columns too, as a client showing any result needs them. */
  execute(sql: string): Promise<StatementResult>;
  /** Bulk-loads CSV text, or its UTF-8 bytes (COPY ... FROM STDIN, CSV format), into the given columns. */
  copyCsv(table: string, columns: readonly string[], csv: string | Uint8Array): Promise<void>;
  /**
   * The engine executes on this thread (PGlite), so a core that parses for a COPY is a
   * core it does not have; a server does its work in a process of its own.
   */
  readonly runsOnThisThread: boolean;
}

/** A local database that can open a transaction and be closed. */
export interface LocalEngine {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (db: LocalDatabase) => Promise<T>): Promise<T>;
  /** Runs statements outside a transaction. */
  readonly db: LocalDatabase;
  /**
   * The role a user who is not a superuser needs for {@link LocalDatabase.copyCsv}, if any:
   * PGlite bulk-loads from a virtual server file, which Postgres lets only superusers
   * and members of pg_read_server_files read.
   */
  readonly bulkLoadRole?: string;
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
    async execute(sql) {
      const result = await target.query<unknown[]>(sql, undefined, { rowMode: 'array' });
      return {
        columns: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
        rows: result.rows,
        affectedRows: result.affectedRows ?? 0,
      };
    },
    async copyCsv(table, columns, csv) {
      await target.query(copyCommand(table, columns, "'/dev/blob'"), [], { blob: new Blob([csv]) });
    },
    runsOnThisThread: true,
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
    bulkLoadRole: 'pg_read_server_files',
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
    async execute(sql) {
      // NUMERIC as its text, as PGlite gives it, so a client showing it loses no digit.
      const types = { getTypeParser: (oid: number, format?: string) => (oid === NUMERIC ? String : numberAwareParser(oid, format)) };
      const result = await client.query<unknown[]>({ text: sql, rowMode: 'array', types });
      const isDml = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command);
      return {
        columns: result.fields.map((field) => ({ name: field.name, typeId: field.dataTypeID })),
        rows: result.rows,
        affectedRows: isDml ? (result.rowCount ?? 0) : 0,
      };
    },
    async copyCsv(table, columns, csv) {
      await pipeline(Readable.from([csv]), client.query(copyFrom(copyCommand(table, columns, 'STDIN'))));
    },
    runsOnThisThread: false,
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
