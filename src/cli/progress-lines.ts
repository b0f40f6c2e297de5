import type { LoadPhase, LoadProgress } from '../local/load-progress';
import { LoadProgressFigures, type PhaseFigures } from './progress-figures';
import type { ProgressDisplay } from './progress';

/** A run this short prints no progress lines at all. */
export const QUIET_MS = 1000;

/** The longest a phase goes between two lines while it reports progress (cli-progress's own non-TTY default, 2 s). */
export const LINE_EVERY_MS = 2000;

/**
 * Progress as plain lines, for a log or a pipe: nothing in a run's first second; then a
 * line when a phase starts, for every statement as it starts, at most every two seconds
 * while bytes are read or copied, and one when a phase finishes.
 * @param now the clock, in milliseconds
 */
export function progressLines(stream: Pick<NodeJS.WritableStream, 'write'>, now: () => number = Date.now): ProgressDisplay {
  const figures = new LoadProgressFigures(now);
  const startedAt = now();
  const lastLine = new Map<LoadPhase, LastLine>();
  return {
    update(progress: LoadProgress) {
      figures.update(progress);
      const at = now();
      if (at - startedAt < QUIET_MS) return;
      // A later phase's start finishes the ones before it: say so for those too.
      for (const phase of figures.started()) {
        const shown = figures.figures(phase);
        if (lineDue(shown, lastLine.get(phase), phase === progress.phase, at)) {
          stream.write(`${progressLine(shown)}\n`);
          lastLine.set(phase, { at, finished: shown.finished, current: shown.current });
        }
      }
    },
    done() {},
  };
}

/** The last line printed for a phase: when, and what it said. */
interface LastLine {
  readonly at: number;
  readonly finished: boolean;
  readonly current: string;
}

/**
 * Whether a phase gets a line now: the first time it is seen, once when it finishes, and
 * while it runs, when its own report names a new statement or, for bytes, every
 * {@link LINE_EVERY_MS}.
 */
function lineDue(shown: PhaseFigures, last: LastLine | undefined, reported: boolean, at: number): boolean {
  if (!last) return true;
  if (last.finished) return false;
  if (shown.finished) return true;
  if (!reported) return false;
  if (shown.phase === 'transform' || shown.phase === 'checks') return shown.current !== last.current;
  return at - last.at >= LINE_EVERY_MS;
}

/** One phase in one line: `read+parse: 12.0 MB / 1.00 GB (1%), 10.5 MB/s, ETA 1m33s · staging_events ← log_data/…`. */
export function progressLine(shown: PhaseFigures): string {
  const percent = shown.fraction === undefined ? '' : ` (${Math.floor(shown.fraction * 100)}%)`;
  const figures = [`${shown.amount}${percent}`, shown.rate, shown.timing].filter((part) => part !== '');
  return `${shown.label}: ${figures.join(', ')}${shown.current ? ` · ${shown.current}` : ''}`;
}
