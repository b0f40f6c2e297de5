/** A staging table column as the database describes it. */
export interface StagingColumn {
  readonly name: string;
  /** The Postgres type name from information_schema, e.g. `integer`, `character varying`. */
  readonly type: string;
  readonly nullable: boolean;
  /** For VARCHAR columns: the declared length, in bytes as Redshift counts it. */
  readonly maxBytes?: number;
}

/** A JSON value made into one CSV field for COPY, or why it does not fit its column. */
type Converted = { readonly field: string } | { readonly error: string };

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  smallint: [-(2n ** 15n), 2n ** 15n - 1n],
  integer: [-(2n ** 31n), 2n ** 31n - 1n],
  bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

const NULL_FIELD = '';

/** Makes one JSON value into a CSV field for a column, or says why it does not fit. */
export type FieldConverter = (value: unknown) => Converted;

/**
 * The converter of a column, chosen once for its type, as Redshift's COPY would type a
 * JSON value: integers must be whole numbers in range, doubles finite numbers, strings
 * fit their length; null or a missing key is NULL unless the column is NOT NULL.
 */
export function fieldConverter(column: StagingColumn): FieldConverter {
  const convert = typedConverter(column);
  return (value) => {
    if (value === null || value === undefined) {
      return column.nullable ? { field: NULL_FIELD } : { error: `${column.name} is required but missing` };
    }
    return convert(value);
  };
}

/** Converts one value for a column (see {@link fieldConverter}). */
export function toCsvField(value: unknown, column: StagingColumn): Converted {
  return fieldConverter(column)(value);
}

function typedConverter(column: StagingColumn): FieldConverter {
  const range = INTEGER_RANGES[column.type];
  if (range) return (value) => toInteger(value, column, range);
  if (column.type === 'double precision' || column.type === 'real' || column.type === 'numeric') {
    return (value) => toNumber(value, column);
  }
  if (column.type === 'character varying' || column.type === 'text' || column.type === 'character') {
    return (value) => toText(value, column);
  }
  return () => ({ error: `${column.name} has type ${column.type}, which the local loader does not load` });
}

function toInteger(value: unknown, column: StagingColumn, [min, max]: readonly [bigint, bigint]): Converted {
  let whole: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) whole = BigInt(value);
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) whole = BigInt(value.trim());
  if (whole === undefined) {
    return { error: `${column.name} is not a whole number: ${preview(value)}` };
  }
  if (whole < min || whole > max) {
    return { error: `${column.name} is out of range for ${column.type}: ${preview(value)}` };
  }
  return { field: whole.toString() };
}

function toNumber(value: unknown, column: StagingColumn): Converted {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    return { error: `${column.name} is not a number: ${preview(value)}` };
  }
  return { field: String(number) };
}

function toText(value: unknown, column: StagingColumn): Converted {
  if (typeof value === 'object') {
    return { error: `${column.name} is not a string: ${preview(value)}` };
  }
  const text = String(value);
  if (text.includes('\u0000')) {
    return { error: `${column.name} contains a NUL character` };
  }
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: count bytes only when it may matter.
  if (column.maxBytes !== undefined && text.length * 3 > column.maxBytes && Buffer.byteLength(text, 'utf8') > column.maxBytes) {
    return { error: `${column.name} is longer than ${column.maxBytes} bytes` };
  }
  return { field: `"${text.replace(/"/g, '""')}"` };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
