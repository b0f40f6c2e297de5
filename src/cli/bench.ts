import * as path from 'node:path';
import { checkTargets, phasesTable, runsTable } from '../bench/report';
import { formatTable } from '../text-table';
import { runBenchmark } from '../bench/run-bench';
import { skewTargets } from '../bench/skew';
import { SKEW_LEGEND, skewTable } from '../bench/skew-format';
import { databaseUrlOption, defineCommand, folder, type OptionValues } from './options';
import { UsageError, runCli, wholeNumber } from './run-cli';

const DEFAULT_SIZES = [8_000, 80_000, 800_000];
const DEFAULT_RUNS = 3;
const DEFAULT_LARGE_EVENTS = 8_000_000;
const BENCH = defineCommand({
  usage: 'Usage: npm run bench -- [--events N,N,...] [--runs N] [--database-url URL [--large-events N]] [--real-sample DIR] [--json]',
  about: `Measures the local load on the same generated data, side by side:
  ours        the real load: parsing in worker threads, bulk COPY into staging,
              transform, checks, manifest
  naive       the same transform, staging filled by one parameterised INSERT per record
  js-floor    reading the same bytes, CSV-quoting each line in JavaScript and
              bulk-copying it as one text value (no JSON parsing, no transform)
  copy-floor  Postgres only: the same bytes streamed untouched into one server-side
              COPY, a line per row: the real floor
  reference   DuckDB (a dev dependency; left out, saying why, when absent) doing the
              same job in memory: read_json into staging, the same transform rules
then the incremental case: a warehouse holding 30 days, one new day arrives. After each
size's load (and of --real-sample's data), untimed: how every table would spread over
Redshift slices (the distribution, as npm run skew reports it).
Each run starts from a new PGlite folder or an emptied schema; opening it is timed
apart ("open s"). Each method runs --runs times per size: the table gives the median
and the range. Generated data is kept under .sparkify/bench/ for the next run. Prints a
table and whether the targets were met; exits 0 either way (the numbers are the result).`,
  options: {
    events: {
      type: 'string',
      value: 'N,N,...',
      help: 'event counts, smallest first; naive runs only up to the second size (it takes too long beyond)',
      default: DEFAULT_SIZES.join(','),
    },
    runs: { type: 'whole', value: 'N', help: 'runs of each method at each size', default: DEFAULT_RUNS },
    'database-url': databaseUrlOption(
      'also run every method on this Postgres server (the warehouse schema is dropped and made again: use a throwaway database)',
    ),
    'large-events': {
      type: 'whole',
      value: 'N',
      help: 'with --database-url: one more size, run once on Postgres only (ours, copy-floor, reference): the big first load whose parallel plan once never finished; 0: none',
      default: DEFAULT_LARGE_EVENTS,
    },
    'real-sample': { type: 'string', value: 'DIR', help: 'also load this folder (e.g. the Udacity sample) for its skew', check: folder },
    json: { type: 'boolean', help: 'print only {"runs":[...],"incremental":{...},"distribution":[...]}' },
  },
});

async function main(values: OptionValues<typeof BENCH.options>): Promise<number> {
  const sizes = values.events.split(',').map((size) => wholeNumber('--events', size));
  if (sizes.length === 0 || sizes.some((size) => size < 1)) throw new UsageError('--events needs counts ≥ 1');
  const repeats = values.runs;
  if (repeats < 1) throw new UsageError('--runs needs a count ≥ 1');
  const largeEvents = values['large-events'];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { runs, incremental, naiveSkipped, skews, referenceUnavailable } = await runBenchmark({
    sizes,
    runs: repeats,
    largeEvents: largeEvents > 0 ? largeEvents : undefined,
    databaseUrl: values['database-url'],
    naiveMaxEvents: sizes[Math.min(1, sizes.length - 1)],
    incrementalEvents: sizes[Math.min(1, sizes.length - 1)],
    dataRoot: path.join('.sparkify', 'bench'),
    realSample: values['real-sample'],
    log,
  });
  if (values.json) {
    console.log(
      JSON.stringify({
        runs: runs.map(({ engine, method, events, runs: count, seconds, minSeconds, maxSeconds, openSeconds, eventsPerSecond, peakRssMb }) => ({
          engine,
          method,
          events,
          runs: count,
          seconds,
          minSeconds,
          maxSeconds,
          openSeconds,
          eventsPerSecond,
          peakRssMb,
        })),
        ...(referenceUnavailable ? { referenceUnavailable } : {}),
        incremental: {
          historyEvents: incremental.historyEvents,
          newEvents: incremental.newEvents,
          seconds: incremental.seconds,
          fullReloadSeconds: incremental.fullReloadSeconds,
        },
        distribution: skews,
      }),
    );
    return 0;
  }
  console.log(runsTable(runs));
  if (referenceUnavailable) console.log(`\nreference: not run: ${referenceUnavailable}`);
  if (naiveSkipped.length > 0) {
    console.log(`\nnaive: not run at ${naiveSkipped.join(', ')} events (row-by-row INSERT takes too long beyond the second size)`);
  }
  console.log(`\nWhere the time of "ours" goes (seconds, share of the run):\n${phasesTable(runs)}`);
  console.log(
    `\nIncremental: ${incremental.newEvents.toLocaleString('en-US')} new events on a warehouse of ` +
      `${incremental.historyEvents.toLocaleString('en-US')}: ${incremental.seconds.toFixed(2)} s; that day into an ` +
      `empty warehouse: ${incremental.dayIntoEmptySeconds.toFixed(2)} s; all 31 days from nothing: ` +
      `${incremental.fullReloadSeconds.toFixed(2)} s`,
  );
  for (const { sample, tables } of skews) console.log(`\nDistribution on Redshift slices, ${sample}:\n${skewTable(tables)}`);
  if (skews.length > 0) console.log(SKEW_LEGEND);
  const targets = [...checkTargets(runs, incremental, sizes), ...skews.flatMap(({ sample, tables }) => skewTargets(tables, sample))];
  console.log(`\nTargets:\n${formatTable(['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']), 1)}`);
  return 0;
}

runCli(BENCH, main);
