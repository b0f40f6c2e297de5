import { formatTable } from '../text-table';
import { SLICE_COUNTS, distributionLabel, type SliceSpread, type TableSkew } from './skew';

const count = (value: number) => value.toLocaleString('en-US');

/** One spread as a cell: the skew, then the fewest and most rows on a slice. */
function spreadCell(spread: SliceSpread): string {
  if (spread.skew === null) return 'no rows';
  return `${spread.skew.toFixed(2)} (${count(Math.min(...spread.rowsPerSlice))}–${count(Math.max(...spread.rowsPerSlice))})`;
}

/** What a table without a share per slice shows in place of a spread: ALL a full copy on each node; AUTO Redshift's own choice. */
const NO_SPREAD = { ALL: 'full copy', AUTO: 'Redshift picks' } as const;

/** The line under the table saying what the cells of tables without a share per slice mean. */
export const SKEW_LEGEND = `skew: rows on the fullest slice / mean rows per slice, then (fewest–most rows on a slice); ${NO_SPREAD.ALL}: DISTSTYLE ALL, every node holds all rows; ${NO_SPREAD.AUTO}: DISTSTYLE AUTO`;

/**
 * The skew report as a text table: per table its distribution, rows, largest key group,
 * and per slice count the skew (fullest slice / mean) with the fewest–most rows per slice;
 * SKEW_LEGEND says how to read it.
 */
export function skewTable(report: readonly TableSkew[]): string {
  const rows = report.map((table) => {
    const style = table.distribution.style;
    const cells = style === 'ALL' || style === 'AUTO' ? SLICE_COUNTS.map(() => NO_SPREAD[style]) : table.spreads.map(spreadCell);
    return [table.table, distributionLabel(table.distribution), count(table.rows), table.largestKeyGroup === undefined ? '' : count(table.largestKeyGroup), ...cells];
  });
  return formatTable(['table', 'distribution', 'rows', 'largest key group', ...SLICE_COUNTS.map((slices) => `${slices} slices`)], rows, 2);
}
