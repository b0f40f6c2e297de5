import type { LoadProgress } from '../local/load-progress';
import { progressBars } from './progress-bars';
import { progressLines } from './progress-lines';

/** Shows a run's progress as its reports arrive. */
export interface ProgressDisplay {
  update(progress: LoadProgress): void;
  /** The run is over (loaded, failed or stopped): leave the display as it ends. */
  done(): void;
}

/**
 * The progress display for a run on `stream`: bars on a terminal, plain lines on a pipe
 * or in a log (see {@link progressBars}, {@link progressLines}).
 */
export function progressDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  return stream.isTTY ? progressBars(stream) : progressLines(stream);
}
