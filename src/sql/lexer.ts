/** A run of SQL text: code, a quoted literal or identifier, or a comment. */
export interface SqlSegment {
  readonly kind: 'code' | 'quoted' | 'comment';
  readonly text: string;
}

/**
 * Cuts SQL text into code, quoted (`'...'` literals and `"..."` identifiers, doubled
 * quotes inside, and `$$...$$` bodies of procedures, as Redshift and Postgres write them) and comment (`-- ...` to the end of the line, `/* ... *\/`) segments,
 * so that rewrites and splits never touch what is inside a literal or a comment.
 * @throws on an unterminated literal or quoted identifier
 */
export function segmentSql(sql: string): SqlSegment[] {
  const segments: SqlSegment[] = [];
  let codeStart = 0;
  let index = 0;
  const push = (kind: SqlSegment['kind'], end: number) => {
    if (codeStart < index) segments.push({ kind: 'code', text: sql.slice(codeStart, index) });
    segments.push({ kind, text: sql.slice(index, end) });
    index = end;
    codeStart = end;
  };
  while (index < sql.length) {
    const char = sql[index];
    const next = sql[index + 1];
    if (char === "'" || char === '"') {
      push('quoted', endOfQuoted(sql, index, char));
    } else if (char === '$' && next === '$') {
      const close = sql.indexOf('$$', index + 2);
      if (close === -1) throw new Error(`Unterminated $$ body starting at offset ${index}: ${sql.slice(index, index + 40)}`);
      push('quoted', close + 2);
    } else if (char === '-' && next === '-') {
      const newline = sql.indexOf('\n', index);
      push('comment', newline === -1 ? sql.length : newline);
    } else if (char === '/' && next === '*') {
      const close = sql.indexOf('*/', index + 2);
      push('comment', close === -1 ? sql.length : close + 2);
    } else {
      index += 1;
    }
  }
  if (codeStart < sql.length) segments.push({ kind: 'code', text: sql.slice(codeStart) });
  return segments;
}

function endOfQuoted(sql: string, open: number, quote: string): number {
  let index = open + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] !== quote) return index + 1;
      index += 1;
    }
    index += 1;
  }
  const what = quote === "'" ? 'string literal' : 'quoted identifier';
  throw new Error(`Unterminated ${what} starting at offset ${open}: ${sql.slice(open, open + 40)}`);
}
