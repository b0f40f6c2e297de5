import { describe, expect, it } from 'vitest';
import { progressBars } from '../../src/cli/progress-bars';
import { progressLines } from '../../src/cli/progress-lines';
import type { ProgressDisplay } from '../../src/cli/progress';
import type { LoadProgress } from '../../src/local/load-progress';
import { FakeTerminal } from '../helpers/terminal-screen';

const MB = 1_000_000;
const read = (bytesDone: number): LoadProgress => ({ phase: 'read', table: 'staging_events', file: 'log_data/a.json', bytesDone, bytesTotal: 10 * MB });
const copied = (bytesDone: number): LoadProgress => ({ phase: 'copy', table: 'staging_events', file: 'log_data/a.json', bytesDone, bytesTotal: 10 * MB });
const transform = (statementsDone: number, statement: string): LoadProgress => ({ phase: 'transform', statementsDone, statementsTotal: 2, statement });
const checks = (statementsDone: number): LoadProgress => ({ phase: 'checks', statementsDone, statementsTotal: 1, statement: '06_checks.sql: keys_unique_not_null' });

/** A run as the runner and the CLI report it, each report at its time in milliseconds. */
const RUN: readonly (readonly [number, LoadProgress])[] = [
  [500, read(1 * MB)],
  [1500, read(3 * MB)],
  [2500, read(5 * MB)],
  [2600, copied(4 * MB)],
  [3500, read(8 * MB)],
  [4500, read(10 * MB)],
  [4600, copied(10 * MB)],
  [5000, transform(0, '05_transform.sql: INSERT INTO users')],
  [17_000, transform(1, '05_transform.sql: INSERT INTO songplays')],
  [77_000, transform(2, '05_transform.sql: INSERT INTO songplays')],
  [77_000, checks(0)],
  [77_500, checks(1)],
  [77_600, { phase: 'swap', finished: false }],
  [78_000, { phase: 'swap', finished: true }],
];

/** A display on a clock that shows each report's time, fed the run's reports up to `until` (ms). */
function play(makeDisplay: (now: () => number) => ProgressDisplay, until = Number.POSITIVE_INFINITY): { display: ProgressDisplay; setClock: (ms: number) => void } {
  let clock = 0;
  const display = makeDisplay(() => clock);
  for (const [at, progress] of RUN.filter(([at]) => at <= until)) {
    clock = at;
    display.update(progress);
  }
  return { display, setClock: (ms) => (clock = ms) };
}

describe('progress lines, off a terminal', () => {
  it('say nothing in the first second, then each phase with its figures: bytes every 2 s, each statement, each end', () => {
    const lines: string[] = [];
    play((now) => progressLines({ write: (text: string) => lines.push(text) === 0 }, now)).display.done();
    expect(lines.join('')).toBe(
      [
        'read+parse: 3.0 MB / 10.0 MB (30%), 3.0 MB/s, ETA 3s · staging_events ← log_data/a.json',
        'copy: 4.0 MB / 10.0 MB (40%), ETA … · staging_events ← log_data/a.json',
        'read+parse: 8.0 MB / 10.0 MB (80%), 2.7 MB/s, ETA 1s · staging_events ← log_data/a.json',
        'read+parse: 10.0 MB / 10.0 MB (100%), 2.5 MB/s, took 4s',
        'copy: 10.0 MB / 10.0 MB (100%), 5.0 MB/s, took 2s',
        'transform: 0/2 statements (0%), 0s so far · 05_transform.sql: INSERT INTO users',
        'transform: 1/2 statements (50%), 12s so far · 05_transform.sql: INSERT INTO songplays',
        'transform: 2/2 statements (100%), took 1m12s',
        'checks: 0/1 statements (0%), 0s so far · 06_checks.sql: keys_unique_not_null',
        'checks: 1/1 statements (100%), took 0.5s',
        'swap: closing the copy of the warehouse, renaming it into place, 0s so far',
        'swap: the new copy of the warehouse is in place, took 0.4s',
        '',
      ].join('\n'),
    );
  });

  it('say nothing at all for a run over within a second', () => {
    const lines: string[] = [];
    let clock = 0;
    const display = progressLines({ write: (text: string) => lines.push(text) === 0 }, () => clock);
    for (const [at, progress] of RUN) {
      clock = at / 100;
      display.update(progress);
    }
    display.done();
    expect(lines).toEqual([]);
  });

  it('say a phase is over when the next one starts, even short of its total', () => {
    const lines: string[] = [];
    let clock = 0;
    const display = progressLines({ write: (text: string) => lines.push(text) === 0 }, () => clock);
    clock = 2000;
    display.update(read(10 * MB));
    display.update(copied(9 * MB));
    clock = 5000;
    display.update(transform(0, '05_transform.sql: INSERT INTO users'));
    expect(lines).toEqual([
      'read+parse: 10.0 MB / 10.0 MB (100%), took 0s\n',
      'copy: 9.0 MB / 10.0 MB (90%), ETA … · staging_events ← log_data/a.json\n',
      'copy: 9.0 MB / 10.0 MB (90%), 3.0 MB/s, took 3s\n',
      'transform: 0/2 statements (0%), 0s so far · 05_transform.sql: INSERT INTO users\n',
    ]);
  });
});

describe('progress bars, on a terminal', () => {
  const readRowAt3500 = `read+parse ${'█'.repeat(16)}${'░'.repeat(4)}  80%  8.0 MB / 10.0 MB  2.7 MB/s  ETA 1s  staging_events ← log_data/a.json`;

  it('show bytes read and copied with %, rate and time left, the file being read, as the run goes', () => {
    const terminal = new FakeTerminal(120);
    play((now) => progressBars(terminal, now), 3500);
    expect(terminal.screen()).toEqual([
      readRowAt3500,
      `copy       ${'█'.repeat(8)}${'░'.repeat(12)}  40%  4.0 MB / 10.0 MB  4.4 MB/s  ETA 2s  staging_events ← log_data/a.json`,
    ]);
  });

  it('show the statement running and the time it has taken so far', () => {
    const terminal = new FakeTerminal(120);
    play((now) => progressBars(terminal, now), 17_000);
    expect(terminal.screen()[2]).toBe(`transform  ${'█'.repeat(10)}${'░'.repeat(10)}  50%  1/2 statements  12s so far  05_transform.sql: INSERT INTO songplays`);
  });

  it('end with every phase at 100% and the time it took', () => {
    const terminal = new FakeTerminal(120);
    play((now) => progressBars(terminal, now)).display.done();
    const full = '█'.repeat(20);
    expect(terminal.screen()).toEqual([
      `read+parse ${full} 100%  10.0 MB / 10.0 MB  2.5 MB/s  took 4s`,
      `copy       ${full} 100%  10.0 MB / 10.0 MB  5.0 MB/s  took 2s`,
      `transform  ${full} 100%  2/2 statements  took 1m12s`,
      `checks     ${full} 100%  1/1 statements  took 0.5s`,
      `swap       ${full}       the new copy of the warehouse is in place  took 0.4s`,
    ]);
    // The cursor hidden while the bars ran is shown again.
    expect(terminal.output.lastIndexOf('\u001b[?25h')).toBeGreaterThan(terminal.output.lastIndexOf('\u001b[?25l'));
  });

  it('fit a narrow terminal, each row cut at its edge', () => {
    const terminal = new FakeTerminal(60);
    play((now) => progressBars(terminal, now), 3500);
    expect(terminal.screen()[0]).toBe(`${readRowAt3500.slice(0, 58)}…`);
    expect(terminal.screen().every((row) => row.length < 60)).toBe(true);
  });
});
