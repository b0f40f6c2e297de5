import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { GeneratorOptions } from '../generate/events';
import { DEFAULT_SAMPLE } from '../generate/sample';
import { logFile, writeSample } from '../generate/writer';
import { openPglite, openPostgres, type LocalEngine } from '../local/database';
import { runLocalEtl, type LocalRunReport, type PhaseSeconds } from '../local/runner';
import { duckdbReference, type ReferenceRunner } from './duckdb-reference';
import { copyRawBytes, copyRawLines } from './floor';
import { measure, type Measurement } from './measure';
import { naiveInsertCopy } from './naive-copy';
import { skewReport, type TableSkew } from './skew';

/** A Postgres engine the local load runs on. */
export type BenchEngine = 'pglite' | 'postgres';

/**
 * One method on one engine at one size, timed `runs` times: `ours` (the real load),
 * `naive` (INSERT per record), `js-floor` (a JavaScript pass copying raw lines),
 * `copy-floor` (the raw bytes in one server-side COPY: Postgres only), `reference`
 * (DuckDB doing the same job: engine `duckdb`).
 */
export interface BenchRun {
  readonly engine: BenchEngine | 'duckdb';
  readonly method: 'ours' | 'naive' | 'js-floor' | 'copy-floor' | 'reference';
  readonly events: number;
  /** How many times it ran. */
  readonly runs: number;
  /** The median of the runs' seconds (the work only, not opening the engine). */
  readonly seconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** The median seconds opening a new engine took before each run (a new PGlite folder, a connection), untimed above. */
  readonly openSeconds: number;
  /** events / seconds (the median). */
  readonly eventsPerSecond: number;
  /** The highest peak RSS of the runs. */
  readonly peakRssMb: number;
  /** For `ours`: where the time of the median run went. */
  readonly phases?: PhaseSeconds;
}

/** How the tables of one loaded sample would spread over Redshift's slices. */
export interface SampleSkew {
  /** Which data: `real sample` or `generated, N events`. */
  readonly sample: string;
  readonly tables: readonly TableSkew[];
}

/** The incremental case: a warehouse holding 30 days, then one new day. */
export interface IncrementalRun {
  readonly historyEvents: number;
  readonly newEvents: number;
  /** Loading the new day into the warehouse holding the history. */
  readonly seconds: number;
  /** Loading all 31 days into an empty warehouse. */
  readonly fullReloadSeconds: number;
  /** Loading only the new day into an empty warehouse. */
  readonly dayIntoEmptySeconds: number;
}

export interface BenchOptions {
  /** Event counts to run, smallest first. */
  readonly sizes: readonly number[];
  /** Times each method runs at each size; the report gives the median and the range. */
  readonly runs: number;
  /**
   * One more size, run once, on the Postgres server only (ours, the COPY floor, DuckDB):
   * the big first load whose parallel plan once never finished.
   * @default none
   */
  readonly largeEvents?: number;
  /** A Postgres server to run every method on as well. */
  readonly databaseUrl?: string;
  /** Sizes above this skip the naive method (it is slow by design). */
  readonly naiveMaxEvents: number;
  /** Events of the 30-day history of the incremental case. */
  readonly incrementalEvents: number;
  /** Where generated data is kept between runs. */
  readonly dataRoot: string;
  /**
   * A folder of real data (song_data/, log_data/) whose skew is reported beside the
   * generated sizes'; it is loaded once and not timed.
   * @default none: only the generated sizes' skew
   */
  readonly realSample?: string;
  /** Told what is running. */
  readonly log: (line: string) => void;
}

const HISTORY_DAYS = 30;

/** The generator options for a benchmark size: users and songs grow with the events. */
export function sampleFor(events: number, days = HISTORY_DAYS): GeneratorOptions {
  return {
    ...DEFAULT_SAMPLE,
    events,
    days,
    users: Math.max(DEFAULT_SAMPLE.users, Math.round(events / 80)),
    songs: Math.max(DEFAULT_SAMPLE.songs, Math.round(events / 40)),
  };
}

async function generated(root: string, options: GeneratorOptions): Promise<string> {
  const dir = path.join(root, `events-${options.events}-days-${options.days}-seed-${options.seed}`);
  if (!existsSync(path.join(dir, 'log_json_path.json'))) {
    rmSync(dir, { recursive: true, force: true });
    await writeSample(dir, options);
  }
  return dir;
}

/** A new, empty engine: a PGlite folder (never in memory: it slows down past ~100k rows) or the server, emptied. */
async function freshEngine(kind: BenchEngine, databaseUrl?: string): Promise<{ engine: LocalEngine; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sparkify-bench-'));
    const engine = await openPglite(dir);
    return { engine, dispose: async () => (await engine.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const engine = await openPostgres(databaseUrl as string);
  // The warehouse's own schema (where the loads go) and public (where the floors copy to).
  await engine.db.query(`DROP SCHEMA IF EXISTS ${DEFAULT_WAREHOUSE_SCHEMA} CASCADE`);
  await engine.db.query('DROP SCHEMA public CASCADE');
  await engine.db.query('CREATE SCHEMA public');
  return { engine, dispose: () => engine.close() };
}

/** One run of a method: its measurement, the seconds opening the engine took, and the load's phases. */
interface SingleRun {
  readonly measured: Measurement<unknown>;
  readonly openSeconds: number;
  readonly phases?: PhaseSeconds;
}

async function singleRun(
  kind: BenchEngine,
  method: Exclude<BenchRun['method'], 'reference'>,
  dataDir: string,
  events: number,
  databaseUrl?: string,
  onLoaded?: (engine: LocalEngine) => Promise<void>,
): Promise<SingleRun> {
  const opening = performance.now();
  const { engine, dispose } = await freshEngine(kind, databaseUrl);
  const openSeconds = (performance.now() - opening) / 1000;
  try {
    const measured = await measure(async (): Promise<LocalRunReport | number> => {
      if (method === 'js-floor') return copyRawLines(engine.db, dataDir);
      if (method === 'copy-floor') return copyRawBytes(databaseUrl as string, dataDir);
      return runLocalEtl(engine, { dataDir, copyRunner: method === 'naive' ? naiveInsertCopy : undefined });
    });
    const report = typeof measured.result === 'number' ? undefined : measured.result;
    if (report && report.tables.staging_events !== events) {
      throw new Error(`${method} on ${kind} staged ${report.tables.staging_events} events, expected ${events}`);
    }
    await onLoaded?.(engine);
    return { measured, openSeconds, phases: method === 'ours' ? report?.phaseSeconds : undefined };
  } finally {
    await dispose();
  }
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs summed up: the median and range of their seconds, the highest peak RSS, the median run's phases. */
export function summarize(engine: BenchRun['engine'], method: BenchRun['method'], events: number, runs: readonly SingleRun[]): BenchRun {
  const seconds = runs.map((run) => run.measured.seconds);
  const middle = median(seconds);
  const closest = runs.reduce((best, run) => (Math.abs(run.measured.seconds - middle) < Math.abs(best.measured.seconds - middle) ? run : best));
  return {
    engine,
    method,
    events,
    runs: runs.length,
    seconds: middle,
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    openSeconds: median(runs.map((run) => run.openSeconds)),
    eventsPerSecond: events / middle,
    peakRssMb: Math.max(...runs.map((run) => run.measured.peakRssMb)),
    phases: closest.phases,
  };
}

async function timedRuns(
  count: number,
  kind: BenchEngine,
  method: Exclude<BenchRun['method'], 'reference'>,
  dataDir: string,
  events: number,
  databaseUrl?: string,
  onFirstLoaded?: (engine: LocalEngine) => Promise<void>,
): Promise<BenchRun> {
  const runs: SingleRun[] = [];
  for (let index = 0; index < count; index += 1) {
    runs.push(await singleRun(kind, method, dataDir, events, databaseUrl, index === 0 ? onFirstLoaded : undefined));
  }
  return summarize(kind, method, events, runs);
}

/** DuckDB's reference load of the same folder, `count` times; it must stage as many events and make as many plays as ours. */
async function referenceRuns(count: number, reference: Extract<ReferenceRunner, { run: unknown }>, dataDir: string, events: number, playsOfOurs?: number): Promise<BenchRun> {
  const runs: SingleRun[] = [];
  for (let index = 0; index < count; index += 1) {
    const measured = await measure(() => reference.run(dataDir));
    const loaded = measured.result;
    if (loaded.stagedEvents !== events || (playsOfOurs !== undefined && loaded.songplays !== playsOfOurs)) {
      throw new Error(`DuckDB staged ${loaded.stagedEvents} events and made ${loaded.songplays} plays; ours: ${events} and ${playsOfOurs}`);
    }
    runs.push({ measured, openSeconds: 0 });
  }
  return summarize('duckdb', 'reference', events, runs);
}

/**
 * Runs every method at every size (each `runs` times), then the large size on Postgres
 * and the incremental case; the skew of each size's warehouse is read after its first
 * PGlite `ours` run, outside the timing. Without DuckDB the reference rows are left out
 * and `referenceUnavailable` says why.
 */
export async function runBenchmark(options: BenchOptions): Promise<{
  runs: BenchRun[];
  incremental: IncrementalRun;
  naiveSkipped: number[];
  skews: SampleSkew[];
  referenceUnavailable?: string;
}> {
  const runs: BenchRun[] = [];
  const naiveSkipped: number[] = [];
  const skews: SampleSkew[] = [];
  const reference = await duckdbReference();
  const referenceUnavailable = 'unavailable' in reference ? reference.unavailable : undefined;
  if (referenceUnavailable) options.log(`DuckDB reference: not run: ${referenceUnavailable}`);
  if (options.realSample) {
    options.log('real sample: loading it for its skew…');
    skews.push({ sample: 'real sample', tables: await loadedSkew(options.realSample) });
  }
  const engines: BenchEngine[] = options.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  const sizes = [...options.sizes.map((events) => ({ events, large: false })), ...(options.largeEvents && options.databaseUrl ? [{ events: options.largeEvents, large: true }] : [])];
  for (const { events, large } of sizes) {
    options.log(`generating ${events} events…`);
    const dataDir = await generated(options.dataRoot, sampleFor(events));
    const count = large ? 1 : options.runs;
    let plays: number | undefined;
    const countPlays = async (loaded: LocalEngine) => {
      plays = Number((await loaded.db.query<{ plays: number }>('SELECT COUNT(*) AS plays FROM songplays'))[0].plays);
    };
    for (const engine of large ? (['postgres'] as const) : engines) {
      for (const method of ['js-floor', 'copy-floor', 'ours', 'naive'] as const) {
        if (method === 'copy-floor' && engine !== 'postgres') continue;
        if (large && method !== 'ours' && method !== 'copy-floor') continue;
        if (method === 'naive' && events > options.naiveMaxEvents) {
          if (engine === 'pglite') naiveSkipped.push(events);
          continue;
        }
        options.log(`${engine} ${method} ${events} events, ${count} run(s)…`);
        const afterLoad =
          method !== 'ours'
            ? undefined
            : engine === 'pglite'
              ? async (loaded: LocalEngine) => {
                  await countPlays(loaded);
                  skews.push({ sample: `generated, ${events.toLocaleString('en-US')} events`, tables: await skewReport(loaded.db) });
                }
              : countPlays;
        runs.push(await timedRuns(count, engine, method, dataDir, events, options.databaseUrl, afterLoad));
      }
    }
    if ('run' in reference) {
      options.log(`duckdb reference ${events} events, ${count} run(s)…`);
      runs.push(await referenceRuns(count, reference, dataDir, events, plays));
    }
  }
  options.log('incremental: 30 days, then one more…');
  return { runs, incremental: await incrementalCase(options), naiveSkipped, skews, referenceUnavailable };
}

/** The skew of a data folder loaded into a new PGlite warehouse. */
async function loadedSkew(dataDir: string): Promise<TableSkew[]> {
  const { engine, dispose } = await freshEngine('pglite');
  try {
    await runLocalEtl(engine, { dataDir });
    return await skewReport(engine.db);
  } finally {
    await dispose();
  }
}

async function incrementalCase(options: BenchOptions): Promise<IncrementalRun> {
  const generator = sampleFor(Math.round((options.incrementalEvents * (HISTORY_DAYS + 1)) / HISTORY_DAYS), HISTORY_DAYS + 1);
  const all = await generated(options.dataRoot, generator);
  const newDay = logFile(all, generator, HISTORY_DAYS);
  const history = copyWithout(all, [newDay]);
  const dayOnly = copyWithout(all, [], HISTORY_DAYS);
  const { engine, dispose } = await freshEngine('pglite');
  try {
    const base = await runLocalEtl(engine, { dataDir: history });
    cpSync(newDay, logFile(history, generator, HISTORY_DAYS));
    const next = await measure(() => runLocalEtl(engine, { dataDir: history }));
    const full = await timedRuns(1, 'pglite', 'ours', all, generator.events);
    const dayIntoEmpty = await timedRuns(1, 'pglite', 'ours', dayOnly, next.result.tables.staging_events);
    return {
      historyEvents: base.tables.staging_events,
      newEvents: next.result.tables.staging_events,
      seconds: next.seconds,
      fullReloadSeconds: full.seconds,
      dayIntoEmptySeconds: dayIntoEmpty.seconds,
    };
  } finally {
    await dispose();
    rmSync(history, { recursive: true, force: true });
    rmSync(dayOnly, { recursive: true, force: true });
  }
}

/**
 * A copy of a generated data folder: without the `exclude` files, or (with `onlyDay`)
 * holding only that day's log file and no songs.
 */
function copyWithout(source: string, exclude: readonly string[], onlyDay?: number): string {
  const target = mkdtempSync(path.join(tmpdir(), 'sparkify-bench-data-'));
  mkdirSync(path.join(target, 'song_data'));
  cpSync(path.join(source, 'log_json_path.json'), path.join(target, 'log_json_path.json'));
  if (onlyDay === undefined) {
    cpSync(path.join(source, 'song_data'), path.join(target, 'song_data'), { recursive: true });
    cpSync(path.join(source, 'log_data'), path.join(target, 'log_data'), {
      recursive: true,
      filter: (file) => !exclude.includes(file),
    });
  } else {
    const day = logFile(source, sampleFor(0, HISTORY_DAYS + 1), onlyDay);
    const relative = path.relative(source, day);
    mkdirSync(path.dirname(path.join(target, relative)), { recursive: true });
    cpSync(day, path.join(target, relative));
  }
  return target;
}
