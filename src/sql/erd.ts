import { segmentSql } from './lexer';
import { splitStatements } from './split';

/** A column of a table as its DDL declares it. */
interface ErdColumn {
  readonly name: string;
  readonly type: string;
  readonly primaryKey: boolean;
  readonly references?: string;
}

/** A table of a DDL file. */
interface ErdTable {
  readonly name: string;
  readonly columns: readonly ErdColumn[];
}

const CREATE_TABLE = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(([\s\S]*)\)[^)]*;$/i;

/** The tables of CREATE TABLE statements: columns, types, primary keys and REFERENCES. */
export function tablesOf(ddl: string): ErdTable[] {
  return splitStatements(ddl).flatMap((statement) => {
    const code = segmentSql(statement.sql)
      .filter((segment) => segment.kind !== 'comment')
      .map((segment) => segment.text)
      .join('')
      .trim();
    const match = CREATE_TABLE.exec(code);
    if (!match) return [];
    const columns = splitTopLevel(match[2]).map((definition): ErdColumn => {
      const [name, ...rest] = definition.trim().split(/\s+/);
      const text = rest.join(' ');
      const type = /^(\w+(?:\s+PRECISION)?(?:\s*\([^)]*\))?)/i.exec(text)?.[1] ?? text;
      const references = /\bREFERENCES\s+(\w+)/i.exec(text)?.[1];
      // Mermaid attribute types take letters, digits, _ and parentheses: no spaces or commas.
      const mermaidType = type.replace(/\s*,\s*/g, '_').replace(/\s+/g, '_');
      return { name, type: mermaidType, primaryKey: /\bPRIMARY\s+KEY\b/i.test(text), references };
    });
    return [{ name: match[1], columns }];
  });
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
