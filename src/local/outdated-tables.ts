import { tablesOf } from '../sql/erd';
import type { PlannedStatement } from '../sql/plan';
import type { LocalDatabase } from './database';

/** A column `sql/` declares that a table already in the warehouse lacks. */
export interface MissingColumn {
  readonly table: string;
  readonly column: string;
}

/**
 * Thrown when the warehouse holds tables an earlier version of `sql/` made, without
 * columns the load writes: `CREATE TABLE IF NOT EXISTS` leaves such a table as it is.
 */
export class OutdatedWarehouseError extends Error {
  constructor(readonly missing: readonly MissingColumn[]) {
    const byTable = new Map<string, string[]>();
    for (const { table, column } of missing) byTable.set(table, [...(byTable.get(table) ?? []), column]);
    const lacking = [...byTable].map(([table, columns]) => `${table} lacks ${columns.join(', ')}`).join('; ');
    super(
      `The warehouse was made by an earlier version of this loader: ${lacking} (declared in sql/). ` +
        'Loading into it would fail. Rebuild it from the source files with --reset; adding the columns by hand ' +
        'would leave them empty for the rows already loaded, which the load ranks and matches by them.',
    );
  }
}

/** The columns the plan's `schema` statements declare that the tables already in the database lack. */
export async function missingColumns(db: LocalDatabase, plan: readonly PlannedStatement[]): Promise<MissingColumn[]> {
  const declared = tablesOf(
    plan
      .filter((statement) => statement.kind === 'schema')
      .map((statement) => statement.sql)
      .join('\n'),
  );
  const rows = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [declared.map((table) => table.name)],
  );
  const existing = new Map<string, Set<string>>();
  for (const row of rows) existing.set(row.table_name, (existing.get(row.table_name) ?? new Set()).add(row.column_name));
  return declared.flatMap((table) => {
    const columns = existing.get(table.name);
    if (!columns) return []; // not there yet: the load creates it
    return table.columns.filter((column) => !columns.has(column.name)).map((column) => ({ table: table.name, column: column.name }));
  });
}

/** Throws {@link OutdatedWarehouseError} when a table already in the database lacks a column the plan declares. */
export async function refuseOutdatedTables(db: LocalDatabase, plan: readonly PlannedStatement[]): Promise<void> {
  const missing = await missingColumns(db, plan);
  if (missing.length > 0) throw new OutdatedWarehouseError(missing);
}
