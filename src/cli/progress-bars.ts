import { Format, MultiBar, Presets, type Options, type SingleBar } from 'cli-progress';
import type { LoadPhase, LoadProgress } from '../local/load-progress';
import { LoadProgressFigures, PHASE_LABELS, type PhaseFigures } from './progress-figures';
import type { ProgressDisplay } from './progress';

/** The longest the bars go without a redraw while reports arrive. */
const REDRAW_EVERY_MS = 200;

const LABEL_WIDTH = Math.max(...Object.values(PHASE_LABELS).map((label) => label.length));

/**
 * Progress as bars on a terminal, one a phase, rewritten in place (cli-progress): done
 * and total with %, rate and time left for bytes read and copied, the statement
 * running for the transform and the checks, and each phase's time once it finished.
 * A PGlite statement holds the process until it ends, so the bars are redrawn as each
 * statement starts, not only on cli-progress's timer.
 * @param stream a terminal (`isTTY`, `columns`)
 * @param now the clock, in milliseconds
 */
export function progressBars(stream: NodeJS.WritableStream, now: () => number = Date.now): ProgressDisplay {
  const figures = new LoadProgressFigures(now);
  const options: Options = {
    stream,
    format: (barOptions, params, payload: { phase: LoadPhase }) => barLine(figures.figures(payload.phase), barOptions, params.maxWidth),
    barsize: 20,
    fps: 5,
    hideCursor: true,
    linewrap: false,
    clearOnComplete: false,
  };
  const bars = new MultiBar(options, Presets.shades_classic);
  const shown = new Map<LoadPhase, SingleBar>();
  let lastRedraw = Number.NEGATIVE_INFINITY;
  return {
    update(progress: LoadProgress) {
      const started = figures.update(progress);
      if (started) shown.set(progress.phase, bars.create(1, 0, { phase: progress.phase }));
      const at = now();
      if (started || progress.phase === 'transform' || progress.phase === 'checks' || progress.phase === 'swap' || at - lastRedraw >= REDRAW_EVERY_MS) {
        bars.update();
        lastRedraw = at;
      }
    },
    done() {
      if (shown.size > 0) bars.stop();
    },
  };
}

/** One phase as a bar line no wider than the terminal: the statement or file is cut first. */
function barLine(shown: PhaseFigures, options: Options, width: number): string {
  const fraction = shown.fraction ?? (shown.finished ? 1 : 0);
  const percent = shown.fraction === undefined ? '' : `${Math.floor(shown.fraction * 100)}%`;
  const figures = [shown.amount, shown.rate, shown.timing].filter((part) => part !== '').join('  ');
  const line = `${shown.label.padEnd(LABEL_WIDTH)} ${Format.BarFormat(fraction, options)} ${percent.padStart(4)}  ${figures}`;
  const withCurrent = shown.current ? `${line}  ${shown.current}` : line;
  // One column spare: a line as wide as the terminal would wrap on some.
  return withCurrent.length < width ? withCurrent : `${withCurrent.slice(0, width - 2)}…`;
}
