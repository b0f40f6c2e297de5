import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERD_SCOPE, erdSvg, scopeStyles } from '../../src/analytics/erd-svg';
import { mermaidErd, tablesOf } from '../../src/sql/erd';
import { SQL_DIR } from '../../src/sql/sql-files';

describe('the ERD drawn for the report', () => {
  const tables = tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8'));

  it('is an SVG, offline, with every table of the DDL and every column, the new ones too', async () => {
    const svg = await erdSvg(mermaidErd(tables));
    expect(svg.startsWith('<svg')).toBe(true);
    const labels = [...svg.matchAll(/>([^<>]+)<\/(?:text|tspan)>/g)].map((match) => match[1].trim());
    for (const table of tables) {
      expect(labels, table.name).toContain(table.name);
      for (const column of table.columns) expect(labels, `${table.name}.${column.name}`).toContain(column.name);
    }
    expect(labels).toEqual(expect.arrayContaining(['song_title', 'artist_name']));
    // No font (or anything else) fetched from the network; its styles stay inside the diagram.
    expect(svg).not.toMatch(/@import|url\(\s*['"]?https?:/);
    for (const [, selectors] of svg.matchAll(/^\s*([^{}\n]+?)\s*\{/gm)) {
      if (!selectors.startsWith('<')) expect(selectors.startsWith(`.${ERD_SCOPE} `), selectors).toBe(true);
    }
  });

  it('scopes each selector of a rule, and drops imports', () => {
    expect(scopeStyles("<svg><style>\n  @import url('https://x/y');\n  text, .mono { fill: red; }\n</style></svg>")).toBe(
      `<svg><style>\n  .${ERD_SCOPE} text, .${ERD_SCOPE} .mono { fill: red; }\n</style></svg>`,
    );
  });
});
