/**
 * Rows as aligned plain-text columns under a header and a rule: the first
 * `leftAlignedColumns` columns are left-aligned (names), the rest right-aligned (numbers).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], leftAlignedColumns = 1): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < leftAlignedColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
