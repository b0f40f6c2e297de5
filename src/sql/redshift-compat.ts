import { segmentSql } from './lexer';

/** A Postgres construct Redshift does not have, and how to recognise it in code. */
interface ForeignConstruct {
  readonly name: string;
  readonly pattern: RegExp;
}

/**
 * Postgres-only SQL that passes every local test on PGlite and then fails on Redshift.
 * Matched in code only: literals and comments may mention them.
 */
export const POSTGRES_ONLY_CONSTRUCTS: readonly ForeignConstruct[] = [
  { name: 'ON CONFLICT (upsert)', pattern: /\bON\s+CONFLICT\b/i },
  { name: 'DISTINCT ON', pattern: /\bDISTINCT\s+ON\s*\(/i },
  { name: 'GENERATED … AS IDENTITY', pattern: /\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b/i },
  { name: ':: cast', pattern: /::/ },
  { name: 'JSON operator ->, ->> or #>', pattern: /->>?|#>>?/ },
  { name: 'jsonb', pattern: /\bjsonb\b/i },
  { name: 'RETURNING', pattern: /\bRETURNING\b/i },
  { name: 'CREATE INDEX', pattern: /\bCREATE\s+(?:UNIQUE\s+)?INDEX\b/i },
  { name: 'aggregate FILTER (WHERE …)', pattern: /\bFILTER\s*\(\s*WHERE\b/i },
  { name: 'SERIAL column', pattern: /\b(?:BIG|SMALL)?SERIAL\b/i },
  { name: 'TRUNCATE (commits the open transaction in Redshift)', pattern: /\bTRUNCATE\b/i },
];

/** The names of the Postgres-only constructs a Redshift statement uses (none: it may run on Redshift). */
export function postgresOnlyConstructs(redshiftSql: string): string[] {
  const code = segmentSql(redshiftSql)
    .filter((segment) => segment.kind === 'code')
    .map((segment) => segment.text)
    .join(' ');
  return POSTGRES_ONLY_CONSTRUCTS.filter((construct) => construct.pattern.test(code)).map((construct) => construct.name);
}

/**
 * Correlated subqueries Redshift cannot decorrelate, and so refuses (Redshift dg,
 * *Correlated subqueries*, "Correlated subquery patterns that are not supported":
 * https://docs.aws.amazon.com/redshift/latest/dg/r_correlated_subqueries.html), as found
 * in the subqueries of predicates (`EXISTS (SELECT …)`, `IN (SELECT …)`, `= (SELECT …)`),
 * the only place a subquery of sql/ refers to an outer query. Found without resolving
 * names, so a subquery that would break a rule if it were correlated is named too:
 * - a window function in the subquery;
 * - a predicate subquery inside it, whose correlation reference could skip a query block;
 * - the subquery in the ON clause of a join.
 */
export function undecorrelatableSubqueries(redshiftSql: string): string[] {
  const code = segmentSql(redshiftSql)
    .filter((segment) => segment.kind !== 'comment')
    .map((segment) => (segment.kind === 'code' ? segment.text : "''"))
    .join('');
  const { depth, close } = parentheses(code);
  const found = new Set<string>();
  for (const match of code.matchAll(PREDICATE_SUBQUERY)) {
    const open = (match.index ?? 0) + match[0].indexOf('(');
    const body = code.slice(open + 1, close.get(open));
    if (/\bOVER\s*\(/i.test(body)) found.add('a window function in the subquery of a predicate');
    if (new RegExp(PREDICATE_SUBQUERY.source, 'i').test(body)) found.add("a predicate's subquery inside the subquery of a predicate (a correlation may skip a query block)");
    if (clauseOf(code, open, depth) === 'ON') found.add("a predicate's subquery in the ON clause of a join");
  }
  return [...found];
}

/** `EXISTS`, `IN` or a comparison, then a parenthesized SELECT. */
const PREDICATE_SUBQUERY = /(?:\bEXISTS|\bIN|[=<>])\s*\(\s*SELECT\b/gi;

/** The nesting depth of every character of `code`, and where each `(` closes. */
function parentheses(code: string): { depth: number[]; close: Map<number, number> } {
  const depth: number[] = [];
  const close = new Map<number, number>();
  const open: number[] = [];
  for (let index = 0; index < code.length; index += 1) {
    if (code[index] === ')') close.set(open.pop() ?? -1, index);
    depth.push(open.length);
    if (code[index] === '(') open.push(index);
  }
  return { depth, close };
}

/**
 * The clause keyword that the position `at` is in: the last of them before it in its own
 * parentheses, or, when a parenthesized group holds none, the clause of the group.
 */
function clauseOf(code: string, at: number, depth: readonly number[]): string | undefined {
  let start = at;
  while (start > 0 && !(code[start - 1] === '(' && depth[start - 1] === depth[at] - 1)) start -= 1;
  let clause: string | undefined;
  for (const match of code.slice(start, at).matchAll(/\b(SELECT|FROM|ON|WHERE|HAVING|SET|USING|GROUP|ORDER)\b/gi)) {
    if (depth[start + (match.index ?? 0)] === depth[at]) clause = match[1].toUpperCase();
  }
  return clause ?? (start > 0 ? clauseOf(code, start - 1, depth) : undefined);
}
