import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/sql/split';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const script = [
      "SELECT 'a;b' AS x;",
      'SELECT "odd;name" FROM t; -- trailing; comment',
      '/* block; comment */ SELECT 1;',
    ].join('\n');
    expect(splitStatements(script).map((statement) => statement.sql)).toEqual([
      "SELECT 'a;b' AS x;",
      'SELECT "odd;name" FROM t;',
      '/* block; comment */ SELECT 1;',
    ]);
  });

  it('keeps a $$ procedure body, semicolons and quotes in it, in one statement', () => {
    const script = "CREATE PROCEDURE p() AS $$\nBEGIN\n  RAISE INFO 'it''s; fine';\nEND;\n$$ LANGUAGE plpgsql;\nCALL p();";
    expect(splitStatements(script).map((statement) => statement.sql)).toEqual([
      "CREATE PROCEDURE p() AS $$\nBEGIN\n  RAISE INFO 'it''s; fine';\nEND;\n$$ LANGUAGE plpgsql;",
      'CALL p();',
    ]);
    expect(() => splitStatements('SELECT $$ unterminated;')).toThrow(/Unterminated \$\$ body/);
  });

  it('attaches the comment lines directly above a statement, not those before a blank line', () => {
    const [statement] = splitStatements('-- file header\n\n-- check: my_check\n-- second line\nSELECT 1;');
    expect(statement.leadingComments).toEqual(['check: my_check', 'second line']);
    expect(statement.sql).toBe('SELECT 1;');
  });

  it("keeps doubled quotes inside a literal", () => {
    expect(splitStatements("SELECT 'it''s; fine';").map((s) => s.sql)).toEqual(["SELECT 'it''s; fine';"]);
  });

  it("drops sqlfluff's noqa directives, which are for the lint of sql/, not for the warehouse; other comments stay", () => {
    const [statement] = splitStatements('SET search_path TO "s", public -- noqa: PRS\n;\n');
    expect(statement.sql).toBe('SET search_path TO "s", public\n;');
    expect(splitStatements('SELECT 1 -- the one\n;')[0].sql).toBe('SELECT 1 -- the one\n;');
  });

  it('refuses a last statement without a semicolon', () => {
    expect(() => splitStatements('SELECT 1;\nSELECT 2')).toThrow(/no terminating semicolon/);
  });

  it('accepts trailing comments after the last statement', () => {
    expect(splitStatements('SELECT 1;\n-- the end\n')).toHaveLength(1);
  });

  it('refuses an unterminated literal', () => {
    expect(() => splitStatements("SELECT 'open;")).toThrow(/Unterminated string literal/);
  });
});
