import { describe, expect, it } from 'vitest';
import { copyRawLines } from '../../src/bench/floor';
import { measure } from '../../src/bench/measure';
import { naiveInsertCopy } from '../../src/bench/naive-copy';
import { checkTargets } from '../../src/bench/report';
import type { BenchRun, IncrementalRun } from '../../src/bench/run-bench';
import { writeSample } from '../../src/generate/writer';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { tempDir } from '../helpers/fixtures';
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

  it('floor copies every non-empty line of every source file, one per row', async () => {
    const data = tempDir();
    const summary = await writeSample(data, { ...DEFAULT_SAMPLE, events: 500, days: 2, songs: 7, users: 5 });
    const lines = await copyRawLines(shared.engine().db, data);
    expect(lines).toBe(summary.events + summary.songs);
    const [{ rows }] = await shared.engine().db.query<{ rows: number }>('SELECT COUNT(*) AS rows FROM raw_lines');
    expect(rows).toBe(lines);
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
  const run = (engine: BenchRun['engine'], method: BenchRun['method'], events: number, seconds: number, peakRssMb = 100): BenchRun => ({
    engine,
    method,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    peakRssMb,
  });
  const incremental: IncrementalRun = { historyEvents: 30, newEvents: 1, seconds: 3, fullReloadSeconds: 10, dayIntoEmptySeconds: 1 };

  it('judges each target by its rule', () => {
    const runs = [
      run('pglite', 'floor', 10, 1),
      run('pglite', 'ours', 10, 2, 100),
      run('pglite', 'floor', 100, 1),
      run('pglite', 'ours', 100, 4),
      run('pglite', 'naive', 100, 100),
      run('pglite', 'floor', 1000, 10),
      run('pglite', 'ours', 1000, 40, 300),
    ];
    const results = Object.fromEntries(checkTargets(runs, incremental, [10, 100, 1000]).map((r) => [r.target, [r.measured, r.met]]));
    expect(results).toEqual({
      'ours ≥ 20× faster than naive at 100 events': ['25.0×', true],
      'ours within 3× of the floor (pglite, 10 events)': ['2.00×', true],
      'ours within 3× of the floor (pglite, 100 events)': ['4.00×', false],
      'ours within 3× of the floor (pglite, 1000 events)': ['4.00×', false],
      'linear: seconds(1000) / seconds(100) ≤ 12': ['10.00', true],
      'peak RSS at 1000 ≤ 1.5 × at 10 + 100 MB (250 MB)': ['300 MB', false],
      'incremental day ≤ 2 × that day into an empty warehouse': ['3.00×', false],
    });
  });
});
