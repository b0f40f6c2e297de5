import type { StatementResult } from '../local/database';
import { validationError } from './data-api-protocol';

/**
 * A statement's result as GetStatementResult gives it: each value a Field of the kind
 * the Data API picks for its column's type, and the columns' metadata.
 */

/** One value: exactly one member is set. */
export type Field =
  | { readonly longValue: number }
  | { readonly doubleValue: number }
  | { readonly stringValue: string }
  | { readonly booleanValue: boolean }
  | { readonly isNull: true };

/** A column as the Data API describes it (the members of ColumnMetadata a result's columns always have). */
export interface ColumnMetadata {
  readonly name: string;
  readonly label: string;
  readonly typeName: string;
}

/** A finished statement's result, kept until fetched. */
export interface ResultSet {
  readonly columns: readonly ColumnMetadata[];
  readonly records: readonly (readonly Field[])[];
}

/** How the Data API sends values of a type. */
type FieldKind = 'long' | 'double' | 'boolean' | 'string';

/**
 * Postgres types by oid: the name Redshift gives them (Redshift keeps Postgres' type
 * names) and the Field member their values come in. NUMERIC comes as a string, so no
 * digit is lost; timestamps as Redshift prints them.
 */
interface TypeInfo {
  readonly name: string;
  readonly kind: FieldKind;
}

const TYPES: Readonly<Record<number, TypeInfo>> = {
  16: { name: 'bool', kind: 'boolean' },
  19: { name: 'name', kind: 'string' },
  20: { name: 'int8', kind: 'long' },
  21: { name: 'int2', kind: 'long' },
  23: { name: 'int4', kind: 'long' },
  25: { name: 'text', kind: 'string' },
  26: { name: 'oid', kind: 'long' },
  700: { name: 'float4', kind: 'double' },
  701: { name: 'float8', kind: 'double' },
  1042: { name: 'bpchar', kind: 'string' },
  1043: { name: 'varchar', kind: 'string' },
  1082: { name: 'date', kind: 'string' },
  1114: { name: 'timestamp', kind: 'string' },
  1184: { name: 'timestamptz', kind: 'string' },
  1700: { name: 'numeric', kind: 'string' },
};

const OTHER_TYPE: TypeInfo = { name: 'unknown', kind: 'string' };

/** Rows per GetStatementResult page. The Data API pages by size (up to 100 MB); rows make its NextToken show in small tests. */
export const RESULT_PAGE_ROWS = 1000;

/** Turns a statement's columns and rows into the Data API's result. */
export function toResultSet(result: StatementResult): ResultSet {
  const types = result.columns.map((column) => TYPES[column.typeId] ?? OTHER_TYPE);
  return {
    columns: result.columns.map((column, index) => ({ name: column.name, label: column.name, typeName: types[index].name })),
    records: result.rows.map((row) => row.map((value, index) => toField(value, types[index]))),
  };
}

function toField(value: unknown, type: TypeInfo): Field {
  if (value === null || value === undefined) return { isNull: true };
  switch (type.kind) {
    case 'long':
      return { longValue: Number(value) };
    case 'double':
      return Number.isFinite(Number(value)) ? { doubleValue: Number(value) } : { stringValue: String(value) };
    case 'boolean':
      return { booleanValue: value === true || value === 't' };
    case 'string':
      return { stringValue: toText(value, type.name) };
  }
}

/** A value as Redshift prints it: timestamps as `2018-11-01 21:01:46.796`, in UTC. */
function toText(value: unknown, typeName: string): string {
  if (!(value instanceof Date)) return typeof value === 'object' ? JSON.stringify(value) : String(value);
  const [date, time] = value.toISOString().replace(/\.000Z$|Z$/, '').split('T');
  if (typeName === 'date') return date;
  return `${date} ${time}${typeName === 'timestamptz' ? '+00' : ''}`;
}

/** One page of GetStatementResult's output. */
export interface ResultPage {
  readonly Records: readonly (readonly Field[])[];
  readonly ColumnMetadata: readonly ColumnMetadata[];
  readonly TotalNumRows: number;
  readonly NextToken?: string;
}

/**
 * The page of a result that `nextToken` points at (the first without one).
 * @throws ValidationException for a token that is not one of this result's
 */
export function resultPage(resultSet: ResultSet, nextToken?: string): ResultPage {
  const offset = nextToken === undefined ? 0 : pageOffset(resultSet, nextToken);
  const end = offset + RESULT_PAGE_ROWS;
  return {
    Records: resultSet.records.slice(offset, end),
    ColumnMetadata: resultSet.columns,
    TotalNumRows: resultSet.records.length,
    NextToken: end < resultSet.records.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

function pageOffset(resultSet: ResultSet, nextToken: string): number {
  const offset = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(offset) || offset <= 0 || offset >= resultSet.records.length) {
    throw validationError(`Invalid NextToken: ${nextToken}`);
  }
  return offset;
}
