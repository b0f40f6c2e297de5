import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalDatabase } from '../local/database';
import { tablesOf, type Distribution } from '../sql/erd';
import { SQL_DIR } from '../sql/sql-files';
import type { TargetResult } from './report';

/**
 * How a loaded warehouse's tables would spread over Redshift's slices, computed in SQL on
 * the local warehouse from the distribution its DDL declares:
 * - KEY: rows with equal keys on one slice, the slice chosen by a hash of the key; every
 *   NULL key on one slice (slice 0 here). Redshift does not document its hash function:
 *   the stand-in is the first 32 bits of MD5 of the key's text, modulo the slice count,
 *   which spreads distinct keys as evenly as any well-mixing hash.
 * - EVEN: round-robin, row n on slice n modulo the slice count.
 * - ALL: a full copy on each node, so no slice holds a share: no skew to measure.
 * - AUTO: Redshift picks, and changes, the style itself: nothing to predict.
 */

/** The slice counts every table is spread over: from a 1-node ra3.large (2 slices) to a large cluster. */
export const SLICE_COUNTS: readonly number[] = [2, 4, 16, 32];

/** The most a KEY or EVEN table's fullest slice may hold, as a multiple of the mean, at these slice counts. */
export const SKEW_TARGETS: readonly { readonly slices: number; readonly maxSkew: number }[] = [
  { slices: 4, maxSkew: 1.2 },
  { slices: 32, maxSkew: 1.3 },
];

/** The DDL files whose tables are reported: staging and star schema. */
const DDL_FILES = ['02_create_staging.sql', '03_create_star.sql'];

/** A table's rows over one number of slices. */
export interface SliceSpread {
  readonly slices: number;
  /** Rows on each slice, slice 0 first. */
  readonly rowsPerSlice: readonly number[];
  /** Rows on the fullest slice divided by the mean rows per slice; null for an empty table. */
  readonly skew: number | null;
}

/** How one table of the warehouse would be distributed on Redshift. */
export interface TableSkew {
  readonly table: string;
  readonly distribution: Distribution;
  readonly rows: number;
  /** KEY only: rows sharing the most common key value, NULL counted as one value. */
  readonly largestKeyGroup?: number;
  /** KEY and EVEN: one spread per count of SLICE_COUNTS; ALL and AUTO: none. */
  readonly spreads: readonly SliceSpread[];
}

/** The tables of the warehouse's DDL with the distribution each declares. */
export function declaredDistributions(sqlDir: string = SQL_DIR): { table: string; distribution: Distribution }[] {
  return DDL_FILES.flatMap((file) => tablesOf(readFileSync(path.join(sqlDir, file), 'utf8'))).map(({ name, distribution }) => ({
    table: name,
    distribution,
  }));
}

/** The SQL of the stand-in hash: an unsigned 32-bit number from MD5 of the value's text. */
function hashOf(value: string): string {
  return `CAST(CAST('x' || SUBSTR(MD5(CAST(${value} AS TEXT)), 1, 8) AS BIT(32)) AS BIGINT)`;
}

/** The SQL of a KEY table's rows grouped by key value (NULL one group): `value`, `row_count`. */
const keyGroupsSql = (table: string, key: string) => `SELECT ${key} AS value, COUNT(*) AS row_count FROM ${table} GROUP BY ${key}`;

/** SLICE_COUNTS as a table of one column, `slices`, to spread every row over each count at once. */
const SLICE_COUNTS_TABLE = `(VALUES ${SLICE_COUNTS.map((count) => `(${count})`).join(', ')}) AS slice_counts (slices)`;

/**
 * The SQL counting a table's rows per slice for each of SLICE_COUNTS, one row per
 * (slices, slice) that holds any: KEY groups rows by key value first, so each distinct
 * value is hashed once.
 */
function rowsPerSliceSql(table: string, distribution: Distribution): string {
  if (distribution.style === 'KEY') {
    return [
      'SELECT slice_counts.slices,',
      `    CASE WHEN key_groups.value IS NULL THEN 0 ELSE MOD(${hashOf('key_groups.value')}, slice_counts.slices) END AS slice,`,
      '    SUM(key_groups.row_count) AS row_count',
      `FROM (${keyGroupsSql(table, distribution.key)}) AS key_groups`,
      `CROSS JOIN ${SLICE_COUNTS_TABLE}`,
      'GROUP BY 1, 2',
    ].join('\n');
  }
  if (distribution.style === 'EVEN') {
    return [
      'SELECT slice_counts.slices, MOD(numbered.position, slice_counts.slices) AS slice, COUNT(*) AS row_count',
      `FROM (SELECT ROW_NUMBER() OVER () - 1 AS position FROM ${table}) AS numbered`,
      `CROSS JOIN ${SLICE_COUNTS_TABLE}`,
      'GROUP BY 1, 2',
    ].join('\n');
  }
  throw new Error(`${table}: DISTSTYLE ${distribution.style} spreads no share of rows over slices`);
}

/** Spreads of a table from the (slices, slice, row_count) rows of rowsPerSliceSql. */
function spreadsOf(rows: number, counted: readonly { slices: number; slice: number; row_count: number }[]): SliceSpread[] {
  return SLICE_COUNTS.map((slices) => {
    const rowsPerSlice = new Array<number>(slices).fill(0);
    for (const row of counted.filter((r) => Number(r.slices) === slices)) rowsPerSlice[Number(row.slice)] = Number(row.row_count);
    return { slices, rowsPerSlice, skew: rows === 0 ? null : Math.max(...rowsPerSlice) / (rows / slices) };
  });
}

/** Every table of the DDL on the loaded warehouse: its rows and how they would spread over the slices. */
export async function skewReport(db: LocalDatabase, tables = declaredDistributions()): Promise<TableSkew[]> {
  const report: TableSkew[] = [];
  for (const { table, distribution } of tables) {
    const [{ row_count: rows }] = await db.query<{ row_count: number }>(`SELECT COUNT(*) AS row_count FROM ${table}`);
    if (distribution.style === 'ALL' || distribution.style === 'AUTO') {
      report.push({ table, distribution, rows: Number(rows), spreads: [] });
      continue;
    }
    const counted = await db.query<{ slices: number; slice: number; row_count: number }>(rowsPerSliceSql(table, distribution));
    const largestKeyGroup =
      distribution.style === 'KEY'
        ? Number((await db.query<{ largest: number | null }>(`SELECT MAX(row_count) AS largest FROM (${keyGroupsSql(table, distribution.key)}) AS key_groups`))[0].largest ?? 0)
        : undefined;
    report.push({ table, distribution, rows: Number(rows), largestKeyGroup, spreads: spreadsOf(Number(rows), counted) });
  }
  return report;
}

/** The skew targets for every KEY and EVEN table of a report. */
export function skewTargets(report: readonly TableSkew[], sample: string): TargetResult[] {
  return report.flatMap((table) =>
    SKEW_TARGETS.flatMap(({ slices, maxSkew }) => {
      const spread = table.spreads.find((s) => s.slices === slices);
      if (!spread) return [];
      return [
        {
          target: `${table.table} skew ≤ ${maxSkew} at ${slices} slices (${sample})`,
          measured: spread.skew === null ? 'no rows' : spread.skew.toFixed(2),
          met: spread.skew === null || spread.skew <= maxSkew,
        },
      ];
    }),
  );
}

/** A distribution as the DDL writes it: `KEY (start_time)`, `EVEN`, `ALL`, `AUTO`. */
export function distributionLabel(distribution: Distribution): string {
  return distribution.style === 'KEY' ? `KEY (${distribution.key})` : distribution.style;
}
