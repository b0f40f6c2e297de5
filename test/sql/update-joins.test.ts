import { describe, expect, it } from 'vitest';
import { buildLoadPlan } from '../../src/sql/plan';
import { readSqlFiles } from '../../src/sql/sql-files';
import { localCopySource } from '../../src/local/runner';

/** The part of an UPDATE between FROM and WHERE at its own level (not inside parentheses). */
function topLevelFrom(sql: string): string {
  let depth = 0;
  let level = '';
  for (const char of sql) {
    if (char === '(') depth += 1;
    if (depth === 0) level += char;
    if (char === ')') depth -= 1;
  }
  return /\bFROM\b([\s\S]*?)(?:\bWHERE\b|$)/i.exec(level)?.[1] ?? '';
}

describe('UPDATE statements of sql/', () => {
  const updates = buildLoadPlan(readSqlFiles(), localCopySource(0)).filter((statement) => /^\s*UPDATE\b/i.test(statement.sql.replace(/--[^\n]*\n/g, '')));

  it('join their FROM list to the target by an inner equijoin: Redshift refuses an outer join there', () => {
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) expect(topLevelFrom(update.sql)).not.toMatch(/\b(LEFT|RIGHT|FULL|OUTER)\b/i);
  });

  it('would find an outer join (the check can fail)', () => {
    expect(topLevelFrom('UPDATE t SET a = 1 FROM t2 LEFT JOIN t3 ON t2.id = t3.id WHERE t.id = t2.id')).toMatch(/LEFT/);
    expect(topLevelFrom('UPDATE t SET a = 1 FROM (SELECT 1 FROM x LEFT JOIN y ON true) AS s WHERE t.id = s.id')).not.toMatch(/LEFT/);
  });
});
