import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredDistributions, skewReport, skewTargets, SKEW_TARGETS, SLICE_COUNTS, type TableSkew } from '../../src/bench/skew';
import { skewTable } from '../../src/bench/skew-format';
import { writeSample } from '../../src/generate/writer';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import type { Distribution } from '../../src/sql/erd';
import { SQL_DIR } from '../../src/sql/sql-files';
import { ENGINES } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';

let generated: Promise<string> | undefined;
/** The default generated sample, written once for the file. */
const generatedSample = () =>
  (generated ??= (async () => {
    const dir = tempDir();
    await writeSample(dir, DEFAULT_SAMPLE);
    return dir;
  })());

const spreadAt = (table: TableSkew, slices: number) => {
  const spread = table.spreads.find((s) => s.slices === slices);
  if (!spread) throw new Error(`${table.table} has no spread at ${slices} slices`);
  return spread;
};

// One PGlite for the file: the slice rule's tables and the loaded samples share it; the
// targets are checked on native Postgres too where a server is given.
const shared = sharedWarehouse();
const onEngine = { pglite: shared, postgres: ENGINES.includes('postgres') ? sharedWarehouse('postgres') : undefined };

describe('the slice rule', () => {
  /** A one-column table `t (k TEXT)` holding these keys, then its skew under `distribution`. */
  async function skewOf(keys: readonly (string | null)[], distribution: Distribution): Promise<TableSkew> {
    const db = shared.engine().db;
    await db.query('DROP TABLE IF EXISTS t');
    await db.query('CREATE TABLE t (k TEXT)');
    if (keys.length > 0) await db.query(`INSERT INTO t (k) SELECT * FROM UNNEST($1::text[])`, [keys]);
    const [table] = await skewReport(db, [{ table: 't', distribution }]);
    return table;
  }

  it('puts every NULL key on one slice, at every slice count', async () => {
    const table = await skewOf(new Array(12).fill(null), { style: 'KEY', key: 'k' });
    expect(table.largestKeyGroup).toBe(12);
    for (const slices of SLICE_COUNTS) {
      const spread = spreadAt(table, slices);
      expect([...spread.rowsPerSlice].sort((a, b) => b - a)).toEqual([12, ...new Array(slices - 1).fill(0)]);
      expect(spread.skew).toBe(slices);
    }
  });

  it('puts rows with equal keys on one slice, the slice the MD5 stand-in names', async () => {
    const table = await skewOf(['abc', 'abc', 'abc', 'xyz'], { style: 'KEY', key: 'k' });
    const sliceOf = (key: string, slices: number) => parseInt(createHash('md5').update(key).digest('hex').slice(0, 8), 16) % slices;
    for (const slices of SLICE_COUNTS) {
      const expected = new Array<number>(slices).fill(0);
      expected[sliceOf('abc', slices)] += 3;
      expected[sliceOf('xyz', slices)] += 1;
      expect(spreadAt(table, slices).rowsPerSlice).toEqual(expected);
    }
    expect(table.largestKeyGroup).toBe(3);
  });

  it('spreads many distinct keys evenly, and one common key skews the table', async () => {
    const distinct = Array.from({ length: 20_000 }, (_, i) => `key-${i}`);
    const even = await skewOf(distinct, { style: 'KEY', key: 'k' });
    expect(spreadAt(even, 4).skew).toBeLessThan(1.05);
    expect(spreadAt(even, 32).skew).toBeLessThan(1.1);
    const mostlyNull = await skewOf([...distinct.slice(0, 2_000), ...new Array(18_000).fill(null)], { style: 'KEY', key: 'k' });
    // 18,000 of 20,000 rows on one slice: at 4 slices that slice holds 3.6 times its share, and more.
    expect(spreadAt(mostlyNull, 4).skew).toBeGreaterThanOrEqual(3.6);
  });

  it('deals EVEN rows round-robin: slice counts differ by one at most', async () => {
    const table = await skewOf(['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'], { style: 'EVEN' });
    expect(table.largestKeyGroup).toBeUndefined();
    expect(spreadAt(table, 4).rowsPerSlice).toEqual([3, 3, 2, 2]);
    expect(spreadAt(table, 4).skew).toBeCloseTo(3 / 2.5, 10);
    expect(spreadAt(table, 32).rowsPerSlice).toEqual([...new Array(10).fill(1), ...new Array(22).fill(0)]);
    expect(spreadAt(table, 32).skew).toBeCloseTo(32 / 10, 10);
    // Printed as skew (fewest–most rows on a slice), per slice count.
    expect(skewTable([table])).toMatch(/^t\s+EVEN\s+10\s+1\.00 \(5–5\)\s+1\.20 \(2–3\)\s+1\.60 \(0–1\)\s+3\.20 \(0–1\)$/m);
  });

  it('gives ALL no share per slice (a full copy on each node) and an empty table no skew', async () => {
    const all = await skewOf(['a', 'b', 'c'], { style: 'ALL' });
    expect(all).toEqual({ table: 't', distribution: { style: 'ALL' }, rows: 3, spreads: [] });
    expect(skewTable([all])).toMatch(/^t\s+ALL\s+3\s+full copy\s+full copy/m);
    const empty = await skewOf([], { style: 'EVEN' });
    expect(empty.spreads.map((s) => s.skew)).toEqual(SLICE_COUNTS.map(() => null));
    expect(skewTargets([empty], 'empty').every((t) => t.met && t.measured === 'no rows')).toBe(true);
  });

  it('misses a target when a table is skewed past it, naming the table and the sample', async () => {
    const skewed = await skewOf(['a', 'a', 'a', 'b'], { style: 'KEY', key: 'k' });
    const targets = skewTargets([skewed], 'tiny');
    expect(targets.map((t) => t.target)).toEqual(SKEW_TARGETS.map((t) => `t skew ≤ ${t.maxSkew} at ${t.slices} slices (tiny)`));
    expect(targets.some((t) => !t.met)).toBe(true);
  });
});

describe('the distribution of the warehouse', () => {
  const declared = declaredDistributions();
  const byTable = new Map(declared.map(({ table, distribution }) => [table, distribution]));

  it('is read from the DDL for every staging and star table', () => {
    expect([...byTable.keys()].sort()).toEqual(['artists', 'load_manifest', 'songplays', 'songs', 'staging_events', 'staging_songs', 'time', 'users']);
    expect(byTable.get('songplays')).toEqual({ style: 'KEY', key: 'start_time' });
  });

  it('makes every join of the analytics queries collocated or against a DISTSTYLE ALL table', () => {
    const joins = readdirSync(path.join(SQL_DIR, 'analytics'))
      .map((file) => readFileSync(path.join(SQL_DIR, 'analytics', file), 'utf8'))
      .flatMap((sql) => [...sql.matchAll(/\bON\s+(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)/gi)])
      .filter(([, left, , right]) => byTable.has(left) && byTable.has(right));
    expect(joins.length).toBeGreaterThan(0);
    for (const [join, left, leftColumn, right, rightColumn] of joins) {
      const [a, b] = [byTable.get(left), byTable.get(right)];
      const collocated = a?.style === 'KEY' && b?.style === 'KEY' && a.key === leftColumn && b.key === rightColumn;
      expect(collocated || a?.style === 'ALL' || b?.style === 'ALL', join).toBe(true);
    }
  });
});

describe.each(ENGINES)('the skew targets on %s', (engineName) => {
  const warehouse = onEngine[engineName] as typeof shared;

  it('are met by every KEY and EVEN table on a generated sample (70 % of plays without a song_id)', async () => {
    await warehouse.load({ dataDir: await generatedSample() });
    const report = await skewReport(warehouse.engine().db);
    const songplays = report.find((t) => t.table === 'songplays') as TableSkew;
    const [{ unmatched }] = await warehouse.engine().db.query<{ unmatched: number }>('SELECT COUNT(*) AS unmatched FROM songplays WHERE song_id IS NULL');
    expect(Number(unmatched) / songplays.rows).toBeGreaterThan(0.5);
    expect(skewTargets(report, 'generated').filter((t) => !t.met)).toEqual([]);
    expect(report.filter((t) => t.spreads.length > 0).map((t) => t.table)).toEqual(expect.arrayContaining(['songplays', 'time', 'staging_events']));
  });

  it.runIf(udacitySamplePresent('the skew targets on the real sample'))('are met by every KEY and EVEN table on the real sample', async () => {
    await warehouse.load({ dataDir: UDACITY_SAMPLE });
    const report = await skewReport(warehouse.engine().db);
    expect(report.find((t) => t.table === 'songplays')).toMatchObject({ rows: 6820, largestKeyGroup: 2 });
    expect(skewTargets(report, 'real sample').filter((t) => !t.met)).toEqual([]);
  });
});
