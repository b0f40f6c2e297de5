import { segmentSql } from './lexer';

/** One statement of a SQL file, with the comment lines written just above it. */
export interface SplitStatement {
  /** The statement text, trimmed, with its terminating semicolon. */
  readonly sql: string;
  /** The `--` comment lines directly above the statement (no blank line between), without the dashes. */
  readonly leadingComments: readonly string[];
}

/**
 * Splits a SQL script into statements at top-level semicolons. Semicolons inside
 * literals, quoted identifiers and comments do not end a statement.
 * @throws when text other than comments follows the last semicolon
 */
export function splitStatements(script: string): SplitStatement[] {
  const chunks: string[] = [];
  let current = '';
  for (const segment of segmentSql(script)) {
    if (segment.kind !== 'code') {
      current += segment.text;
      continue;
    }
    const parts = segment.text.split(';');
    parts.slice(0, -1).forEach((part) => {
      chunks.push(`${current}${part};`);
      current = '';
    });
    current += parts[parts.length - 1];
  }
  const rest = segmentSql(current).filter((segment) => segment.kind !== 'comment');
  if (rest.some((segment) => segment.text.trim() !== '')) {
    throw new Error(`SQL script ends with a statement that has no terminating semicolon: ${current.trim().slice(0, 80)}`);
  }
  return chunks.map(toStatement).filter((statement) => statement.sql !== ';');
}

function toStatement(chunk: string): SplitStatement {
  const lines = chunk.split(/\r?\n/);
  const leadingComments: string[] = [];
  let first = 0;
  for (; first < lines.length; first += 1) {
    const line = lines[first].trim();
    if (line === '') {
      leadingComments.length = 0; // a blank line parts a statement from the comments above it
    } else if (line.startsWith('--')) {
      leadingComments.push(line.slice(2).trim());
    } else {
      break;
    }
  }
  return { sql: withoutLintDirectives(lines.slice(first).join('\n')).trim(), leadingComments };
}

/** A `-- noqa` comment: a directive to sqlfluff, which lints sql/, not SQL for the warehouse. */
const LINT_DIRECTIVE = /^--\s*noqa\b/;

/** The statement without its sqlfluff directives (and the spaces before each), so no engine is sent them. */
function withoutLintDirectives(sql: string): string {
  let kept = '';
  for (const segment of segmentSql(sql)) {
    kept = segment.kind === 'comment' && LINT_DIRECTIVE.test(segment.text) ? kept.replace(/[ \t]+$/, '') : kept + segment.text;
  }
  return kept;
}
