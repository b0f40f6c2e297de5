import { DEFAULT_SAMPLE } from '../generate/sample';
import { writeSample } from '../generate/writer';
import { defineCommand, type OptionValues } from './options';
import { UsageError, runCli } from './run-cli';

const d = DEFAULT_SAMPLE;
const GENERATE = defineCommand({
  usage: 'Usage: npm run generate -- --out DIR [options]',
  about: `Writes eventsim-like Sparkify data in the layout of the public dataset:
song_data/A/B/C/TR….json, log_data/YYYY/MM/YYYY-MM-DD-events.json (one file a day)
and log_json_path.json. The same options always give the same files. Streams to disk,
so memory stays flat at any size.`,
  options: {
    out: { type: 'string', value: 'DIR', help: 'where to write (required; existing files are overwritten)' },
    users: { type: 'whole', value: 'N', help: 'listeners with a userId', default: d.users },
    days: { type: 'whole', value: 'D', help: 'days of logs, one file each', default: d.days },
    songs: { type: 'whole', value: 'S', help: 'songs in the catalog', default: d.songs },
    events: { type: 'whole', value: 'N', help: 'events in all, spread evenly over the days', default: d.events },
    seed: { type: 'whole', value: 'X', help: 'seed of every random choice', default: d.seed },
    'start-date': { type: 'string', value: 'DATE', help: 'first day, YYYY-MM-DD', default: d.startDate },
    'match-rate': { type: 'string', value: 'P', help: 'share of plays that match a catalog song, 0 to 1', default: String(d.matchRate) },
  },
});

async function main(values: OptionValues<typeof GENERATE.options>): Promise<number> {
  if (!values.out) throw new UsageError('--out DIR is required');
  const started = Date.now();
  const summary = await writeSample(values.out, {
    users: values.users,
    days: values.days,
    songs: values.songs,
    events: values.events,
    seed: values.seed,
    startDate: values['start-date'],
    matchRate: Number(values['match-rate']),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `Wrote ${summary.events} events in ${summary.logFiles} log files and ${summary.songs} songs in ` +
      `${summary.songFiles} song files to ${values.out} (${seconds} s).`,
  );
  return 0;
}

runCli(GENERATE, main);
