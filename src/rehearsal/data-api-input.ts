import { validationError, type DataApiError } from './data-api-protocol';

/**
 * Reading and checking an operation's input as the Data API's model constrains it
 * (lengths, patterns, required members), refusing with a ValidationException worded as
 * AWS words one.
 */

/** An operation's input, as the body's JSON object. */
export type Input = Readonly<Record<string, unknown>>;

/** The Data API's pattern of a statement id: a UUID, with `:<n>` for a sub-statement. */
const STATEMENT_ID = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$/;

/** The most statements a batch may have, and the largest statement in bytes (the Data API's 100 KB). */
const MAX_BATCH_STATEMENTS = 40;
const MAX_STATEMENT_BYTES = 100 * 1024;

/** BatchExecuteStatement's Sqls: 1 to 40 statements. */
export function batchSqls(input: Input): string[] {
  const sqls = input.Sqls;
  if (!Array.isArray(sqls) || sqls.some((sql) => typeof sql !== 'string')) throw memberError('sqls', 'Member must be a list of strings');
  if (sqls.length < 1 || sqls.length > MAX_BATCH_STATEMENTS) {
    throw memberError('sqls', `Member must have length between 1 and ${MAX_BATCH_STATEMENTS}`);
  }
  return sqls.map(statementSql);
}

/** A statement no larger than the Data API takes. */
export function statementSql(sql: string): string {
  if (Buffer.byteLength(sql, 'utf8') > MAX_STATEMENT_BYTES) {
    throw validationError(`The SQL statement is larger than ${MAX_STATEMENT_BYTES / 1024} KB: ${sql.slice(0, 60)}…`);
  }
  return sql;
}

/** The Id of a statement or sub-statement. */
export function statementId(input: Input): string {
  const id = requiredString(input, 'Id');
  if (!STATEMENT_ID.test(id)) throw memberError('id', `Member must satisfy regular expression pattern: ${STATEMENT_ID.source}`, id);
  return id;
}

/** Parameters of the real API that the stand-in does not implement: refused, never silently ignored. */
export function refuseUnsupported(input: Input): void {
  const unsupported: Record<string, (value: unknown) => boolean> = {
    Parameters: () => true,
    SessionId: () => true,
    SessionKeepAliveSeconds: (value) => value !== 0,
    WaitTimeSeconds: (value) => value !== 0,
    ExecutionMode: (value) => value !== 'TRANSACTION',
    ResultFormat: (value) => value !== 'JSON',
    WithEvent: (value) => value !== false,
  };
  for (const [name, refused] of Object.entries(unsupported)) {
    if (input[name] !== undefined && refused(input[name])) throw validationError(`The Data API stand-in does not support ${name}.`);
  }
}

/** A string member the call must give. */
export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw memberError(camel(name), 'Member must not be null');
  return value;
}

/** A string member the call may give, within the model's length constraint. */
export function optionalString(input: Input, name: string, min = 0, max = Infinity): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw memberError(camel(name), 'Member must be a string');
  if (value.length < min) throw memberError(camel(name), `Member must have length greater than or equal to ${min}`, value);
  if (value.length > max) throw memberError(camel(name), `Member must have length less than or equal to ${max}`, value);
  return value;
}

/** A ValidationException worded as AWS words a broken constraint of the model. */
export function memberError(member: string, constraint: string, value?: string): DataApiError {
  const what = value === undefined ? 'Value' : `Value '${value}'`;
  return validationError(`1 validation error detected: ${what} at '${member}' failed to satisfy constraint: ${constraint}`);
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
