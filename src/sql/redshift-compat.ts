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
