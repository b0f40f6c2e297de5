import { parseArgs } from 'node:util';
import { DEFAULT_SAMPLE } from '../generate/sample';
import { writeSample } from '../generate/writer';
import { UsageError, runCli, wholeNumber } from './run-cli';

const d = DEFAULT_SAMPLE;
const HELP = `Usage: npm run generate -- --out DIR [options]

Writes eventsim-like Sparkify data in the layout of the public dataset:
song_data/A/B/C/TR….json, log_data/YYYY/MM/YYYY-MM-DD-events.json (one file a day)
and log_json_path.json. The same options always give the same files. Streams to disk,
so memory stays flat at any size.

Options:
  --out DIR           where to write (required; existing files are overwritten)
  --users N           listeners with a userId (default: ${d.users})
  --days D            days of logs, one file each (default: ${d.days})
  --songs S           songs in the catalog (default: ${d.songs})
  --events N          events in all, spread evenly over the days (default: ${d.events})
  --seed X            seed of every random choice (default: ${d.seed})
  --start-date DATE   first day, YYYY-MM-DD (default: ${d.startDate})
  --match-rate P      share of plays that match a catalog song, 0 to 1 (default: ${d.matchRate})
  -h, --help          show this help`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      users: { type: 'string', default: String(d.users) },
      days: { type: 'string', default: String(d.days) },
      songs: { type: 'string', default: String(d.songs) },
      events: { type: 'string', default: String(d.events) },
      seed: { type: 'string', default: String(d.seed) },
      'start-date': { type: 'string', default: d.startDate },
      'match-rate': { type: 'string', default: String(d.matchRate) },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('--out DIR is required');
  const started = Date.now();
  const summary = await writeSample(values.out, {
    users: wholeNumber('--users', values.users),
    days: wholeNumber('--days', values.days),
    songs: wholeNumber('--songs', values.songs),
    events: wholeNumber('--events', values.events),
    seed: wholeNumber('--seed', values.seed),
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

runCli(main, HELP);
