import { segmentSql } from './lexer';
import { splitStatements } from './split';

/** A column of a table as its DDL declares it. */
interface ErdColumn {
  readonly name: string;
  readonly type: string;
  readonly primaryKey: boolean;
  readonly references?: string;
}

/**
 * How Redshift spreads a table's rows over the slices, as its DDL says: by the hash of a
 * key column, round-robin (EVEN), a full copy on each node (ALL), or Redshift's own
 * choice (AUTO, also when the DDL names none).
 */
export type Distribution = { readonly style: 'KEY'; readonly key: string } | { readonly style: 'EVEN' | 'ALL' | 'AUTO' };

/** A table of a DDL file. */
export interface ErdTable {
  readonly name: string;
  readonly columns: readonly ErdColumn[];
  readonly distribution: Distribution;
}

const CREATE_TABLE = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(/i;

/** The tables of CREATE TABLE statements: columns, types, primary keys, REFERENCES and distribution. */
export function tablesOf(ddl: string): ErdTable[] {
  return splitStatements(ddl).flatMap((statement) => {
    const code = segmentSql(statement.sql)
      .filter((segment) => segment.kind !== 'comment')
      .map((segment) => segment.text)
      .join('')
      .trim();
    const head = CREATE_TABLE.exec(code);
    if (!head) return [];
    const listEnd = closingParenthesis(code, head[0].length);
    const definitions = splitTopLevel(code.slice(head[0].length, listEnd));
    const columns = definitions.map((definition): ErdColumn => {
      const [name, ...rest] = definition.trim().split(/\s+/);
      const text = rest.join(' ');
      const type = /^(\w+(?:\s+PRECISION)?(?:\s*\([^)]*\))?)/i.exec(text)?.[1] ?? text;
      const references = /\bREFERENCES\s+(\w+)/i.exec(text)?.[1];
      // Mermaid attribute types take letters, digits, _ and parentheses: no spaces or commas.
      const mermaidType = type.replace(/\s*,\s*/g, '_').replace(/\s+/g, '_');
      return { name, type: mermaidType, primaryKey: /\bPRIMARY\s+KEY\b/i.test(text), references };
    });
    return [{ name: head[1], columns, distribution: distributionOf(head[1], code.slice(listEnd + 1), definitions) }];
  });
}

/** The index of the parenthesis closing the one opened just before `start`. */
function closingParenthesis(code: string, start: number): number {
  let depth = 1;
  for (let index = start; index < code.length; index += 1) {
    if (code[index] === '(') depth += 1;
    if (code[index] === ')') depth -= 1;
    if (depth === 0) return index;
  }
  throw new Error(`Unbalanced parentheses in: ${code.slice(0, 60)}…`);
}

/** The distribution of a table from the clauses after its column list, or a column's own DISTKEY attribute. */
function distributionOf(table: string, clauses: string, definitions: readonly string[]): Distribution {
  const style = /\bDISTSTYLE\s+(EVEN|ALL|KEY|AUTO)\b/i.exec(clauses)?.[1].toUpperCase();
  const key =
    /\bDISTKEY\s*\(\s*(\w+)\s*\)/i.exec(clauses)?.[1] ??
    definitions.map((definition) => definition.trim()).find((definition) => /^\w+\s.*\bDISTKEY\b/i.test(definition))?.split(/\s+/)[0];
  if (key !== undefined) {
    if (style !== undefined && style !== 'KEY') throw new Error(`${table}: DISTKEY (${key}) with DISTSTYLE ${style}`);
    return { style: 'KEY', key };
  }
  if (style === 'KEY') throw new Error(`${table}: DISTSTYLE KEY needs a DISTKEY column`);
  return { style: (style ?? 'AUTO') as 'EVEN' | 'ALL' | 'AUTO' };
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of list) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

/** A Mermaid erDiagram of the tables: columns with types and PK/FK marks, and one line per REFERENCES. */
export function mermaidErd(tables: readonly ErdTable[]): string {
  const lines = ['erDiagram'];
  for (const table of tables) {
    for (const column of table.columns.filter((c) => c.references)) {
      lines.push(`    ${column.references} ||--o{ ${table.name} : "${column.name}"`);
    }
  }
  for (const table of tables) {
    lines.push(`    ${table.name} {`);
    for (const column of table.columns) {
      const keys = [column.primaryKey ? 'PK' : '', column.references ? 'FK' : ''].filter(Boolean).join(', ');
      lines.push(`        ${column.type} ${column.name}${keys ? ` ${keys}` : ''}`);
    }
    lines.push('    }');
  }
  return lines.join('\n');
}

/** The README block holding the diagram, between these markers. */
export const ERD_MARKERS = { start: '<!-- erd:start -->', end: '<!-- erd:end -->' } as const;

/** The README text between the ERD markers for a diagram. */
export function erdBlock(diagram: string): string {
  return `${ERD_MARKERS.start}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n${ERD_MARKERS.end}`;
}
