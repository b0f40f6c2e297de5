/**
 * The one place where values from configuration become SQL text.
 *
 * Every `{{ name }}` placeholder in a `sql/` file is replaced by a literal built here:
 * strings become single-quoted literals with quotes and backslashes escaped, integers are
 * written bare. Nothing from configuration is ever concatenated into SQL anywhere else.
 */

/**
 * A name of a database object (a schema) from configuration: rendered as a quoted
 * identifier, never as a literal. Only lower-case ASCII letters, digits and `_` are
 * accepted (Redshift folds unquoted names to lower case, so `Sparkify` and `sparkify`
 * would be two names on one engine and one on the other), at most 63 characters
 * (Postgres' limit; Redshift's is 127), not starting with a digit or `pg_` (reserved
 * for system schemas on both engines).
 */
export class SqlIdentifier {
  constructor(readonly name: string) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name) || name.startsWith('pg_') || name === 'information_schema') {
      throw new Error(
        `${JSON.stringify(name)} is not a usable schema name: use 1 to 63 lower-case letters, digits and _, ` +
          'not starting with a digit or pg_',
      );
    }
  }
}

/** A value that may fill a `{{ name }}` placeholder. */
export type SqlParameter = string | number | SqlIdentifier;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Quotes a string as a SQL literal valid in Redshift and Postgres.
 *
 * Single quotes are doubled and backslashes doubled (Redshift treats a backslash in a
 * literal as an escape character). Control characters other than tab are refused:
 * no bucket, prefix, region or ARN legitimately contains one.
 */
export function quoteLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new Error(`Refusing to put control character U+${code} into a SQL literal: ${JSON.stringify(value)}`);
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Renders one parameter: a non-negative integer bare, an identifier double-quoted, anything else as a quoted literal. */
export function renderParameter(name: string, value: SqlParameter): string {
  if (value instanceof SqlIdentifier) return `"${value.name}"`;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`SQL parameter ${name} must be a non-negative integer, got ${value}`);
    }
    return String(value);
  }
  return quoteLiteral(value);
}

/** The placeholder names a SQL text uses, in order of first appearance. */
export function placeholdersIn(sql: string): string[] {
  return [...new Set([...sql.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

/**
 * Replaces every `{{ name }}` in `sql` with its rendered parameter.
 * @throws when the text uses a placeholder that `parameters` does not define
 */
export function renderTemplate(sql: string, parameters: Readonly<Record<string, SqlParameter>>): string {
  return sql.replace(PLACEHOLDER, (_whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(parameters, name)) {
      throw new Error(`SQL placeholder {{ ${name} }} has no value; known: ${Object.keys(parameters).join(', ')}`);
    }
    return renderParameter(name, parameters[name]);
  });
}
