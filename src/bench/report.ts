import { formatTable } from '../text-table';
import type { BenchRun, IncrementalRun } from './run-bench';

/** One target of the benchmark and whether this run met it. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const find = (runs: readonly BenchRun[], engine: string, method: string, events: number) =>
  runs.find((run) => run.engine === engine && run.method === method && run.events === events);

/** Checks the targets of the benchmark against its runs (PGlite, where all methods ran). */
export function checkTargets(runs: readonly BenchRun[], incremental: IncrementalRun, sizes: readonly number[]): TargetResult[] {
  const results: TargetResult[] = [];
  const [small, medium, large] = sizes;
  const ours = (events: number) => find(runs, 'pglite', 'ours', events);
  const naive = medium === undefined ? undefined : find(runs, 'pglite', 'naive', medium);
  if (naive && ours(medium)) {
    const ratio = naive.seconds / (ours(medium) as BenchRun).seconds;
    results.push({ target: `ours ≥ 20× faster than naive at ${medium} events`, measured: `${ratio.toFixed(1)}×`, met: ratio >= 20 });
  }
  for (const run of runs.filter((r) => r.method === 'ours')) {
    const floor = find(runs, run.engine, 'floor', run.events);
    if (!floor) continue;
    const ratio = run.seconds / floor.seconds;
    results.push({
      target: `ours within 3× of the floor (${run.engine}, ${run.events} events)`,
      measured: `${ratio.toFixed(2)}×`,
      met: ratio <= 3,
    });
  }
  if (large !== undefined && ours(large) && ours(medium)) {
    const ratio = (ours(large) as BenchRun).seconds / (ours(medium) as BenchRun).seconds;
    results.push({ target: `linear: seconds(${large}) / seconds(${medium}) ≤ 12`, measured: ratio.toFixed(2), met: ratio <= 12 });
  }
  if (large !== undefined && ours(large) && ours(small)) {
    const limit = 1.5 * (ours(small) as BenchRun).peakRssMb + 100;
    const peak = (ours(large) as BenchRun).peakRssMb;
    results.push({ target: `peak RSS at ${large} ≤ 1.5 × at ${small} + 100 MB (${limit.toFixed(0)} MB)`, measured: `${peak.toFixed(0)} MB`, met: peak <= limit });
  }
  const ratio = incremental.seconds / incremental.dayIntoEmptySeconds;
  results.push({ target: 'incremental day ≤ 2 × that day into an empty warehouse', measured: `${ratio.toFixed(2)}×`, met: ratio <= 2 });
  return results;
}

/** The runs as a table: seconds, throughput, memory, and the ratios that matter. */
export function runsTable(runs: readonly BenchRun[]): string {
  const rows = runs.map((run) => {
    const floor = find(runs, run.engine, 'floor', run.events);
    const ours = find(runs, run.engine, 'ours', run.events);
    return [
      run.engine,
      run.method,
      run.events.toLocaleString('en-US'),
      run.seconds.toFixed(2),
      Math.round(run.eventsPerSecond).toLocaleString('en-US'),
      run.peakRssMb.toFixed(0),
      floor ? (run.seconds / floor.seconds).toFixed(2) : '',
      run.method === 'naive' && ours ? (run.seconds / ours.seconds).toFixed(1) : '',
    ];
  });
  return formatTable(['engine', 'method', 'events', 'seconds', 'events/s', 'peak RSS MB', '× floor', 'naive/ours'], rows, 2);
}

/** Where the time of each `ours` run went. */
export function phasesTable(runs: readonly BenchRun[]): string {
  const rows = runs
    .filter((run) => run.phases)
    .map((run) => {
      const phases = run.phases as NonNullable<BenchRun['phases']>;
      const share = (seconds: number) => `${seconds.toFixed(2)} (${Math.round((100 * seconds) / run.seconds)}%)`;
      return [run.engine, run.events.toLocaleString('en-US'), share(phases.files), share(phases.parse), share(phases.copy), share(phases.transform), share(phases.checks)];
    });
  return formatTable(['engine', 'events', 'files s', 'parse s', 'copy s', 'transform s', 'checks s'], rows, 1);
}
