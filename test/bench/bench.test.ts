import { describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { duckdbReference } from '../../src/bench/duckdb-reference';
import { copyRawBytes, copyRawLines } from '../../src/bench/floor';
import { measure } from '../../src/bench/measure';
import { naiveInsertCopy } from '../../src/bench/naive-copy';
import { checkTargets } from '../../src/bench/report';
import { median, summarize, type BenchRun, type IncrementalRun } from '../../src/bench/run-bench';
import { createTestDatabase, ENGINES } from '../helpers/engines';
import { writeSample } from '../../src/generate/writer';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { tempDir, writeTree } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';
import { warehouseSnapshot } from '../helpers/snapshot';

describe('the benchmark methods', () => {
  const shared = sharedWarehouse();

  it('naive fills staging with the same rows as ours, so only the method differs', async () => {
    const data = tempDir();
    await writeSample(data, { ...DEFAULT_SAMPLE, events: 600, days: 2, songs: 20, users: 10 });
    const ours = await shared.load({ dataDir: data });
    const oursSnapshot = await warehouseSnapshot(shared.engine().db);
    const naive = await shared.load({ dataDir: data, copyRunner: naiveInsertCopy });
    expect(naive.report.tables).toEqual(ours.report.tables);
    expect(await warehouseSnapshot(shared.engine().db)).toEqual(oursSnapshot);
  });

  it('the JavaScript floor copies every non-empty line of every source file, one per row', async () => {
    const data = tempDir();
    const summary = await writeSample(data, { ...DEFAULT_SAMPLE, events: 500, days: 2, songs: 7, users: 5 });
    const lines = await copyRawLines(shared.engine().db, data);
    expect(lines).toBe(summary.events + summary.songs);
    const [{ rows }] = await shared.engine().db.query<{ rows: number }>('SELECT COUNT(*) AS rows FROM raw_lines');
    expect(rows).toBe(lines);
  });

  it('DuckDB, the reference, makes the same star tables from the same files as ours', async () => {
    const reference = await duckdbReference();
    // @duckdb/node-api is a dev dependency: a test run has it.
    if (!('run' in reference)) throw new Error(reference.unavailable);
    const data = tempDir();
    await writeSample(data, { ...DEFAULT_SAMPLE, events: 3000, days: 3, songs: 40, users: 30 });
    const ours = await shared.load({ dataDir: data });
    expect(await reference.run(data)).toEqual({
      stagedEvents: ours.report.tables.staging_events,
      songplays: ours.report.tables.songplays,
      users: ours.report.tables.users,
      time: ours.report.tables.time,
    });
  });
});

describe.each(ENGINES.filter((engine) => engine === 'postgres'))('the COPY floor on %s', () => {
  it('streams every line of every source file, untouched, into one row each, whatever the file ends with', async () => {
    const data = tempDir();
    const summary = await writeSample(data, { ...DEFAULT_SAMPLE, events: 500, days: 2, songs: 7, users: 5 });
    // A last line without its newline, and JSON's own quotes, commas and backslashes.
    writeTree(data, { 'log_data/extra.json': '{"a":"x,\\"y\\""}\n{"b":"\\\\"}' });
    const database = await createTestDatabase();
    try {
      expect(await copyRawBytes(database.url, data)).toBe(summary.events + summary.songs + 2);
      const client = new Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ line: string }>(`SELECT line FROM raw_lines WHERE line LIKE '{"a"%' OR line LIKE '{"b"%' ORDER BY line`);
      await client.end();
      expect(rows.map((row) => row.line)).toEqual(['{"a":"x,\\"y\\""}', '{"b":"\\\\"}']);
      expect(rows.map((row) => JSON.parse(row.line))).toEqual([{ a: 'x,"y"' }, { b: '\\' }]);
    } finally {
      await database.drop();
    }
  });
});

describe('median and summarize', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });

  it('sums up repeated runs: median and range of the seconds, the highest peak RSS, the median run\'s phases', () => {
    const phases = (parse: number) => ({ files: 0, parse, copy: 0, transform: 0, checks: 0 });
    const single = (seconds: number, peakRssMb: number, openSeconds: number) => ({
      measured: { result: undefined, seconds, peakRssMb },
      openSeconds,
      phases: phases(seconds / 2),
    });
    expect(summarize('pglite', 'ours', 1000, [single(4, 300, 2), single(2, 500, 1), single(9, 200, 3)])).toEqual({
      engine: 'pglite',
      method: 'ours',
      events: 1000,
      runs: 3,
      seconds: 4,
      minSeconds: 2,
      maxSeconds: 9,
      openSeconds: 2,
      eventsPerSecond: 250,
      peakRssMb: 500,
      phases: phases(2),
    });
  });
});

describe('measure', () => {
  const MB = 1 << 20;

  it('reports the highest RSS sampled while the work ran, not only at its ends', async () => {
    // 100 MB at the start and the end; 300 MB only while the work is under way.
    let working = false;
    const readRss = () => (working ? 300 : 100) * MB;
    const measured = await measure(async () => {
      working = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      working = false;
      return 'done';
    }, readRss);
    expect(measured.result).toBe('done');
    expect(measured.peakRssMb).toBe(300);
  });

  it('times the work and reads the real RSS, which holds at least what the work allocated', async () => {
    const measured = await measure(async () => {
      const ballast = Buffer.alloc(64 * MB, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return ballast.length;
    });
    expect(measured.result).toBe(64 * MB);
    expect(measured.seconds).toBeGreaterThanOrEqual(0.09);
    // Not compared with an RSS read before: garbage collection elsewhere can lower it meanwhile.
    expect(measured.peakRssMb).toBeGreaterThan(64);
  });
});

describe('checkTargets', () => {
  const run = (engine: BenchRun['engine'], method: BenchRun['method'], events: number, seconds: number, peakRssMb = 100, range = [seconds, seconds]): BenchRun => ({
    engine,
    method,
    events,
    runs: range[0] === range[1] ? 1 : 3,
    seconds,
    minSeconds: range[0],
    maxSeconds: range[1],
    openSeconds: 0,
    eventsPerSecond: events / seconds,
    peakRssMb,
  });
  const incremental: IncrementalRun = { historyEvents: 30, newEvents: 1, seconds: 3, fullReloadSeconds: 10, dayIntoEmptySeconds: 1 };

  it('judges each target by its rule, from medians, with the range repeated runs allow', () => {
    const runs = [
      run('pglite', 'ours', 80_000, 2, 100),
      run('duckdb', 'reference', 80_000, 0.5),
      run('pglite', 'ours', 800_000, 4, 100, [3, 5]),
      run('pglite', 'naive', 800_000, 100),
      run('duckdb', 'reference', 800_000, 1, 100, [0.5, 2]),
      run('postgres', 'ours', 800_000, 2.5),
      run('pglite', 'ours', 8_000_000, 40, 300, [30, 60]),
      run('postgres', 'ours', 8_000_000, 25),
      run('duckdb', 'reference', 8_000_000, 10),
    ];
    const results = Object.fromEntries(checkTargets(runs, incremental, [80_000, 800_000, 8_000_000]).map((r) => [r.target, [r.measured, r.met]]));
    expect(results).toEqual({
      'ours ≥ 20× faster than naive at 800000 events': ['25.0×', true],
      'ours ≤ 3× DuckDB (pglite, 800000 events)': ['4.00× (1.50–10.00)', false],
      'ours ≤ 2× DuckDB (postgres, 800000 events)': ['2.50× (1.25–5.00)', false],
      'ours ≤ 3× DuckDB (pglite, 8000000 events)': ['4.00× (3.00–6.00)', false],
      'ours ≤ 2× DuckDB (postgres, 8000000 events)': ['2.50×', false],
      'linear: seconds(8000000) / seconds(800000) ≤ 12': ['10.00 (6.00–20.00)', true],
      'peak RSS at 8000000 ≤ 1.5 × at 80000 + 100 MB (250 MB)': ['300 MB', false],
      'incremental day ≤ 2 × that day into an empty warehouse': ['3.00×', false],
    });
  });

  it('holds ours to DuckDB only from 800,000 events, and meets the limits at them', () => {
    const runs = [run('postgres', 'ours', 80_000, 10), run('duckdb', 'reference', 80_000, 1), run('postgres', 'ours', 800_000, 2), run('duckdb', 'reference', 800_000, 1), run('pglite', 'ours', 800_000, 3)];
    const targets = checkTargets(runs, incremental, [80_000, 800_000]).filter((r) => r.target.includes('DuckDB'));
    expect(targets).toEqual([
      { target: 'ours ≤ 2× DuckDB (postgres, 800000 events)', measured: '2.00×', met: true },
      { target: 'ours ≤ 3× DuckDB (pglite, 800000 events)', measured: '3.00×', met: true },
    ]);
  });
});
