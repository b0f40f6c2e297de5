import { PGlite, type Transaction } from '@electric-sql/pglite';

/** The few operations the local runner needs from a Postgres engine. */
export interface LocalDatabase {
  /** Runs one statement and returns its rows. */
  query<Row extends object>(sql: string): Promise<Row[]>;
  /** Bulk-loads CSV text (COPY ... FROM STDIN, CSV format) into the given columns. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
}

/** A local database that can open a transaction and be closed. */
export interface LocalEngine {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (db: LocalDatabase) => Promise<T>): Promise<T>;
  /** Runs `work` outside a transaction. */
  readonly db: LocalDatabase;
  close(): Promise<void>;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function wrap(target: PGlite | Transaction): LocalDatabase {
  return {
    async query<Row extends object>(sql: string) {
      return (await target.query<Row>(sql)).rows;
    },
    async copyCsv(table, columns, csv) {
      const columnList = columns.map(quoteIdentifier).join(', ');
      await target.query(`COPY ${quoteIdentifier(table)} (${columnList}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
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
    db: wrap(pglite),
    transaction: (work) => pglite.transaction((tx) => work(wrap(tx))),
    close: () => pglite.close(),
  };
}
