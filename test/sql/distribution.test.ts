import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../src/sql/erd';

const distributionOf = (ddl: string) => tablesOf(ddl).map((table) => [table.name, table.distribution]);

describe('the distribution a CREATE TABLE declares', () => {
  it('reads DISTKEY, DISTSTYLE and a column-level DISTKEY, after a column list with parentheses', () => {
    const ddl = `
      CREATE TABLE IF NOT EXISTS a (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(32)) DISTKEY (id) SORTKEY (id);
      CREATE TABLE b (id BIGINT IDENTITY(0, 1), at TIMESTAMP) DISTSTYLE KEY DISTKEY(at);
      CREATE TABLE c (id INTEGER, amount DECIMAL(10, 2)) DISTSTYLE ALL SORTKEY (id);
      CREATE TABLE d (id INTEGER) DISTSTYLE EVEN;
      CREATE TABLE e (id INTEGER, code VARCHAR(8) DISTKEY);
      CREATE TABLE f (id INTEGER) SORTKEY (id); -- none named: Redshift's default`;
    expect(distributionOf(ddl)).toEqual([
      ['a', { style: 'KEY', key: 'id' }],
      ['b', { style: 'KEY', key: 'at' }],
      ['c', { style: 'ALL' }],
      ['d', { style: 'EVEN' }],
      ['e', { style: 'KEY', key: 'code' }],
      ['f', { style: 'AUTO' }],
    ]);
  });

  it('refuses a DISTKEY under another style, and DISTSTYLE KEY without a key', () => {
    expect(() => tablesOf('CREATE TABLE a (id INTEGER) DISTSTYLE ALL DISTKEY (id);')).toThrow('a: DISTKEY (id) with DISTSTYLE ALL');
    expect(() => tablesOf('CREATE TABLE a (id INTEGER) DISTSTYLE KEY;')).toThrow('a: DISTSTYLE KEY needs a DISTKEY column');
  });
});
