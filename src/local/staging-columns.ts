/** A staging table column as the database describes it. */
export interface StagingColumn {
  /**
   * The table the column belongs to, where a rule of the star schema depends on it.
   * @default none: only the column's type rules apply
   */
  readonly table?: string;
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

/**
 * The epoch milliseconds the star schema can hold as a play's start_time: from
 * 4713-01-01 BC, Redshift's earliest TIMESTAMP, to 32767-12-31 23:59:59.999, the end of
 * the last year time.year (a SMALLINT) holds. sql/05_transform.sql and sql/06_checks.sql
 * write the same two numbers (COPY cannot reject there); test/local/load-errors.test.ts
 * and test/local/transform.test.ts run both sides at the bounds.
 */
export const STORABLE_EPOCH_MS: readonly [bigint, bigint] = [BigInt(Date.UTC(-4712, 0, 1)), BigInt(Date.UTC(32767, 11, 31, 23, 59, 59, 999))];

/** Staging columns the transform converts into something narrower than their type, by `table.column`. */
const STAR_SCHEMA_RANGES: Readonly<Record<string, { readonly range: readonly [bigint, bigint]; readonly holds: string }>> = {
  'staging_events.ts': { range: STORABLE_EPOCH_MS, holds: 'a time the warehouse holds (4713-01-01 BC to 32767-12-31 23:59:59.999 UTC)' },
};

const NULL_FIELD = '';

/** Makes one JSON value into a CSV field for a column, or says why it does not fit. */
export type FieldConverter = (value: unknown) => Converted;

/** Why a value does not fit its column. */
export class FieldError {
  constructor(readonly error: string) {}
}

/**
 * Makes one JSON value into a CSV field for a column (a string), or a {@link FieldError}:
 * what the loader runs per field, allocating nothing for a value that fits.
 */
export type CsvField = (value: unknown) => string | FieldError;

/** How a COPY statement says its values are written. */
export interface ValueFormats {
  /**
   * How TIMESTAMP values are written (COPY's TIMEFORMAT), of the parts YYYY, MM, DD,
   * HH24 or HH (both 24-hour in COPY), MI and SS, and any separators.
   * @default DEFAULT_TIME_FORMAT
   */
  readonly timeFormat?: string;
}

/** COPY's TIMEFORMAT when the statement gives none. */
export const DEFAULT_TIME_FORMAT = 'YYYY-MM-DD HH:MI:SS';

/**
 * The converter of a column, chosen once for its type, as Redshift's COPY would type a
 * JSON value: integers must be whole numbers in range, doubles finite numbers, strings
 * fit their length, timestamps are strings in the TIMEFORMAT; null or a missing key is
 * NULL unless the column is NOT NULL.
 * @throws when the TIMEFORMAT has parts this loader does not read
 */
export function fieldConverter(column: StagingColumn, formats: ValueFormats = {}): FieldConverter {
  const write = csvField(column, formats);
  return (value) => {
    const field = write(value);
    return typeof field === 'string' ? { field } : { error: field.error };
  };
}

/** The converter of {@link fieldConverter}, as the loader runs it (see {@link CsvField}). */
export function csvField(column: StagingColumn, formats: ValueFormats = {}): CsvField {
  const convert = typedConverter(column, formats);
  const missing = column.nullable ? NULL_FIELD : new FieldError(`${column.name} is required but missing`);
  return (value) => (value === null || value === undefined ? missing : convert(value));
}

/** Converts one value for a column (see {@link fieldConverter}). */
export function toCsvField(value: unknown, column: StagingColumn): Converted {
  return fieldConverter(column)(value);
}

function typedConverter(column: StagingColumn, formats: ValueFormats): CsvField {
  const range = INTEGER_RANGES[column.type];
  const star = STAR_SCHEMA_RANGES[`${column.table}.${column.name}`];
  if (range) return integerConverter(column, range, star);
  if (column.type === 'double precision' || column.type === 'real' || column.type === 'numeric') {
    return (value) => toNumber(value, column);
  }
  if (column.type === 'character varying' || column.type === 'text' || column.type === 'character') {
    return (value) => toText(value, column);
  }
  if (column.type === 'timestamp without time zone') {
    const format = formats.timeFormat ?? DEFAULT_TIME_FORMAT;
    const read = timestampReader(format);
    return (value) => {
      const timestamp = typeof value === 'string' ? read(value) : undefined;
      return timestamp ?? new FieldError(`${column.name} is not a timestamp in TIMEFORMAT '${format}': ${preview(value)}`);
    };
  }
  const unsupported = new FieldError(`${column.name} has type ${column.type}, which the local loader does not load`);
  return () => unsupported;
}

function inRange(value: bigint, [min, max]: readonly [bigint, bigint]): boolean {
  return value >= min && value <= max;
}

/**
 * A whole number in the column's range and, where the star schema converts the column
 * into something narrower, in the range that holds; checked in that order, so an error
 * names the first rule broken. A JSON number that is a safe integer (nearly all of them)
 * is checked as a number; others, and digits in a string, as a BigInt.
 */
function integerConverter(
  column: StagingColumn,
  range: readonly [bigint, bigint],
  star?: { readonly range: readonly [bigint, bigint]; readonly holds: string },
): CsvField {
  // Every bound is a safe integer or ±2^63, which a double holds exactly: comparing a safe integer with them is exact.
  const [min, max] = range.map(Number);
  const [starMin, starMax] = star ? star.range.map(Number) : [-Infinity, Infinity];
  return (value) => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      if (value < min || value > max) return new FieldError(`${column.name} is out of range for ${column.type}: ${preview(value)}`);
      if (value < starMin || value > starMax) return new FieldError(`${column.name} is not ${star?.holds}: ${preview(value)}`);
      return String(value);
    }
    return toInteger(value, column, range, star);
  };
}

/** {@link integerConverter} for any value, in BigInt arithmetic. */
function toInteger(
  value: unknown,
  column: StagingColumn,
  range: readonly [bigint, bigint],
  star?: { readonly range: readonly [bigint, bigint]; readonly holds: string },
): string | FieldError {
  let whole: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) whole = BigInt(value);
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) whole = BigInt(value.trim());
  if (whole === undefined) {
    return new FieldError(`${column.name} is not a whole number: ${preview(value)}`);
  }
  if (!inRange(whole, range)) {
    return new FieldError(`${column.name} is out of range for ${column.type}: ${preview(value)}`);
  }
  if (star && !inRange(whole, star.range)) {
    return new FieldError(`${column.name} is not ${star.holds}: ${preview(value)}`);
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    // JSON.parse has already rounded it (2^53 + 1 reads as 2^53); COPY would read the digits.
    return new FieldError(`${column.name} is too large a number to read exactly (2^53 or more; write it as a string): ${preview(value)}`);
  }
  return whole.toString();
}

function toNumber(value: unknown, column: StagingColumn): string | FieldError {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    return new FieldError(`${column.name} is not a number: ${preview(value)}`);
  }
  return String(number);
}

function toText(value: unknown, column: StagingColumn): string | FieldError {
  if (typeof value === 'object') {
    return new FieldError(`${column.name} is not a string: ${preview(value)}`);
  }
  const text = typeof value === 'string' ? value : String(value);
  if (text.indexOf('\u0000') !== -1) {
    return new FieldError(`${column.name} contains a NUL character`);
  }
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: count bytes only when it may matter.
  if (column.maxBytes !== undefined && text.length * 3 > column.maxBytes && Buffer.byteLength(text, 'utf8') > column.maxBytes) {
    return new FieldError(`${column.name} is longer than ${column.maxBytes} bytes`);
  }
  // Quoted always: an empty string unquoted would be NULL; a quote inside is doubled.
  return text.indexOf('"') === -1 ? `"${text}"` : `"${text.replace(/"/g, '""')}"`;
}

/** The parts of a TIMEFORMAT the loader reads, each two digits but the year. */
const TIME_PARTS: Readonly<Record<string, keyof TimeFields>> = {
  YYYY: 'year',
  MM: 'month',
  DD: 'day',
  HH24: 'hour',
  HH: 'hour',
  MI: 'minute',
  SS: 'second',
};

interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Reads timestamps written in `format` (see {@link ValueFormats.timeFormat}) and writes
 * them as Postgres reads them, or undefined for text that is not one, e.g. 2018-02-30.
 */
function timestampReader(format: string): (text: string) => string | undefined {
  const parts: (keyof TimeFields)[] = [];
  let pattern = '';
  for (const [token] of format.matchAll(/YYYY|MM|DD|HH24|HH|MI|SS|[A-Za-z]+|[^A-Za-z]+/gi)) {
    const part = TIME_PARTS[token.toUpperCase()];
    if (part) {
      parts.push(part);
      pattern += part === 'year' ? '(\\d{4})' : '(\\d{2})';
    } else if (/[A-Za-z]/.test(token)) {
      throw new Error(`TIMEFORMAT '${format}' has ${token}, which the local COPY does not read (it reads ${Object.keys(TIME_PARTS).join(', ')})`);
    } else {
      pattern += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const matcher = new RegExp(`^${pattern}$`);
  return (text) => {
    const match = matcher.exec(text.trim());
    if (!match) return undefined;
    const fields: TimeFields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
    parts.forEach((part, index) => (fields[part] = Number(match[index + 1])));
    const date = new Date(Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second));
    // Date.UTC rolls 2018-02-30 over into March: a value that does not come back whole is no date.
    const iso = date.toISOString();
    const pad = (value: number, width = 2) => String(value).padStart(width, '0');
    const written = `${pad(fields.year, 4)}-${pad(fields.month)}-${pad(fields.day)}T${pad(fields.hour)}:${pad(fields.minute)}:${pad(fields.second)}`;
    return iso.startsWith(written) ? written.replace('T', ' ') : undefined;
  };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
