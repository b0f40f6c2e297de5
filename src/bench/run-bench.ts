import { DEFAULT_WAREHOUSE_SCHEMA } from '../sql/plan';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { GeneratorOptions } from '../generate/events';
import { DEFAULT_SAMPLE } from '../generate/sample';
import { logFile, writeSample } from '../generate/writer';
import { openPglite, openPostgres, type LocalEngine } from '../local/database';
import { runLocalEtl, type LocalRunReport, type PhaseSeconds } from '../local/runner';
import { copyRawLines } from './floor';
import { measure } from './measure';
import { naiveInsertCopy } from './naive-copy';
import { skewReport, type TableSkew } from './skew';

/** One timed run of one method on one engine. */
export interface BenchRun {
  readonly engine: 'pglite' | 'postgres';
  readonly method: 'ours' | 'naive' | 'floor';
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
  /** For `ours`: where the time went. */
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
async function freshEngine(kind: BenchRun['engine'], databaseUrl?: string): Promise<{ engine: LocalEngine; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sparkify-bench-'));
    const engine = await openPglite(dir);
    return { engine, dispose: async () => (await engine.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const engine = await openPostgres(databaseUrl as string);
  // The warehouse's own schema (where the loads go) and public (where the floor copies to).
  await engine.db.query(`DROP SCHEMA IF EXISTS ${DEFAULT_WAREHOUSE_SCHEMA} CASCADE`);
  await engine.db.query('DROP SCHEMA public CASCADE');
  await engine.db.query('CREATE SCHEMA public');
  return { engine, dispose: () => engine.close() };
}

async function timedRun(
  kind: BenchRun['engine'],
  method: BenchRun['method'],
  dataDir: string,
  events: number,
  databaseUrl?: string,
  onLoaded?: (engine: LocalEngine) => Promise<void>,
): Promise<BenchRun> {
  const { engine, dispose } = await freshEngine(kind, databaseUrl);
  try {
    const measured = await measure(async (): Promise<LocalRunReport | number> => {
      if (method === 'floor') return copyRawLines(engine.db, dataDir);
      return runLocalEtl(engine, { dataDir, copyRunner: method === 'naive' ? naiveInsertCopy : undefined });
    });
    const report = typeof measured.result === 'number' ? undefined : measured.result;
    if (report && report.tables.staging_events !== events) {
      throw new Error(`${method} on ${kind} staged ${report.tables.staging_events} events, expected ${events}`);
    }
    await onLoaded?.(engine);
    return {
      engine: kind,
      method,
      events,
      seconds: measured.seconds,
      eventsPerSecond: events / measured.seconds,
      peakRssMb: measured.peakRssMb,
      phases: method === 'ours' ? report?.phaseSeconds : undefined,
    };
  } finally {
    await dispose();
  }
}

/**
 * Runs every method at every size, then the incremental case; the skew of each size's
 * warehouse is read after its PGlite `ours` run, outside the timing.
 */
export async function runBenchmark(
  options: BenchOptions,
): Promise<{ runs: BenchRun[]; incremental: IncrementalRun; naiveSkipped: number[]; skews: SampleSkew[] }> {
  const runs: BenchRun[] = [];
  const naiveSkipped: number[] = [];
  const skews: SampleSkew[] = [];
  if (options.realSample) {
    options.log('real sample: loading it for its skew…');
    skews.push({ sample: 'real sample', tables: await loadedSkew(options.realSample) });
  }
  const engines: BenchRun['engine'][] = options.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  for (const events of options.sizes) {
    options.log(`generating ${events} events…`);
    const dataDir = await generated(options.dataRoot, sampleFor(events));
    for (const engine of engines) {
      for (const method of ['floor', 'ours', 'naive'] as const) {
        if (method === 'naive' && events > options.naiveMaxEvents) {
          if (engine === 'pglite') naiveSkipped.push(events);
          continue;
        }
        options.log(`${engine} ${method} ${events} events…`);
        const readSkew =
          engine === 'pglite' && method === 'ours'
            ? async (loaded: LocalEngine) => {
                skews.push({ sample: `generated, ${events.toLocaleString('en-US')} events`, tables: await skewReport(loaded.db) });
              }
            : undefined;
        runs.push(await timedRun(engine, method, dataDir, events, options.databaseUrl, readSkew));
      }
    }
  }
  options.log('incremental: 30 days, then one more…');
  return { runs, incremental: await incrementalCase(options), naiveSkipped, skews };
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
    const full = await timedRun('pglite', 'ours', all, generator.events);
    const dayIntoEmpty = await timedRun('pglite', 'ours', dayOnly, next.result.tables.staging_events);
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
