import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERD_MARKERS, erdBlock, mermaidErd, tablesOf } from '../../src/sql/erd';
import { SQL_DIR } from '../../src/sql/sql-files';

describe('the ERD', () => {
  it('in the README is the one the DDL gives (run npm run erd -- --write after changing the DDL)', () => {
    const readme = readFileSync(path.join(SQL_DIR, '..', 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(ERD_MARKERS.start), readme.indexOf(ERD_MARKERS.end) + ERD_MARKERS.end.length);
    const diagram = mermaidErd(tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8')));
    expect(block).toBe(erdBlock(diagram));
  });

  it('shows columns, types, keys and one relationship per REFERENCES', () => {
    const ddl = `
      -- a comment, (with parentheses)
      CREATE TABLE IF NOT EXISTS a (id INTEGER NOT NULL PRIMARY KEY, amount DECIMAL(10, 2)) DISTSTYLE ALL;
      CREATE TABLE b (
          id  BIGINT IDENTITY(0, 1) PRIMARY KEY,
          a_id INTEGER REFERENCES a (id), -- the parent
          note VARCHAR(MAX)
      )
      SORTKEY (id);
      DROP TABLE IF EXISTS c;`;
    expect(mermaidErd(tablesOf(ddl))).toBe(
      [
        'erDiagram',
        '    a ||--o{ b : "a_id"',
        '    a {',
        '        INTEGER id PK',
        '        DECIMAL(10_2) amount',
        '    }',
        '    b {',
        '        BIGINT id PK',
        '        INTEGER a_id FK',
        '        VARCHAR(MAX) note',
        '    }',
      ].join('\n'),
    );
  });
});
