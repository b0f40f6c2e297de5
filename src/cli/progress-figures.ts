import { LOAD_PHASES, type LoadPhase, type LoadProgress } from '../local/load-progress';
import { formatBytes, formatDuration } from '../text-units';

/** How each phase is named on screen. */
export const PHASE_LABELS: Record<LoadPhase, string> = {
  read: 'read+parse',
  copy: 'copy',
  transform: 'transform',
  checks: 'checks',
  swap: 'swap',
};

/** What a progress display shows of one phase, in words. */
export interface PhaseFigures {
  readonly phase: LoadPhase;
  readonly label: string;
  /** How much of the phase is done, from 0 to 1; undefined for the swap, which has no measure. */
  readonly fraction: number | undefined;
  /** `450.0 MB / 1.00 GB`, `4/9 statements`, or what the swap is doing. */
  readonly amount: string;
  /** `12.3 MB/s` for bytes, empty for the other phases. */
  readonly rate: string;
  /** `ETA 45s` (bytes), `12s so far` (statements, swap), or `took 1m05s` once finished. */
  readonly timing: string;
  /** The file being read, or the statement running; empty for the swap. */
  readonly current: string;
  readonly finished: boolean;
}

interface PhaseState {
  readonly startedAt: number;
  last: LoadProgress;
  finishedAt?: number;
}

/** Phases from this one on start only once reading and copying are over. */
const FIRST_PHASE_AFTER_COPY = LOAD_PHASES.indexOf('transform');

/**
 * Keeps what a run reported of each phase and when, and says where each stands: done
 * and total, rate and time left for bytes, time taken once finished.
 */
export class LoadProgressFigures {
  private readonly phases = new Map<LoadPhase, PhaseState>();

  /** @param now the clock, in milliseconds */
  constructor(private readonly now: () => number = Date.now) {}

  /** Takes in one report; says whether it started its phase. */
  update(progress: LoadProgress): boolean {
    const at = this.now();
    const known = this.phases.get(progress.phase);
    const state = known ?? { startedAt: at, last: progress };
    state.last = progress;
    if (state.finishedAt === undefined && isComplete(progress)) state.finishedAt = at;
    this.phases.set(progress.phase, state);
    if (!known && LOAD_PHASES.indexOf(progress.phase) >= FIRST_PHASE_AFTER_COPY) this.finishPhasesBefore(progress.phase, at);
    return !known;
  }

  /** The phases reported so far, in the order they run. */
  started(): LoadPhase[] {
    return LOAD_PHASES.filter((phase) => this.phases.has(phase));
  }

  /** Where a phase reported so far stands now. */
  figures(phase: LoadPhase): PhaseFigures {
    const state = this.phases.get(phase);
    if (!state) throw new Error(`No progress reported for the ${phase} phase yet`);
    const now = this.now();
    const finished = state.finishedAt !== undefined;
    const seconds = ((state.finishedAt ?? now) - state.startedAt) / 1000;
    const label = PHASE_LABELS[phase];
    const progress = state.last;
    switch (progress.phase) {
      case 'read':
      case 'copy': {
        const fraction = progress.bytesTotal === 0 ? 1 : Math.min(1, progress.bytesDone / progress.bytesTotal);
        const perSecond = seconds > 0 ? progress.bytesDone / seconds : undefined;
        const left = perSecond ? Math.max(0, progress.bytesTotal - progress.bytesDone) / perSecond : undefined;
        return {
          phase,
          label,
          fraction,
          amount: `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
          rate: perSecond === undefined ? '' : `${formatBytes(perSecond)}/s`,
          timing: finished ? `took ${formatDuration(seconds)}` : left === undefined ? 'ETA …' : `ETA ${formatDuration(Math.ceil(left))}`,
          current: finished ? '' : `${progress.table} ← ${progress.file}`,
          finished,
        };
      }
      case 'transform':
      case 'checks':
        return {
          phase,
          label,
          fraction: progress.statementsTotal === 0 ? 1 : progress.statementsDone / progress.statementsTotal,
          amount: `${progress.statementsDone}/${progress.statementsTotal} statements`,
          rate: '',
          timing: finished ? `took ${formatDuration(seconds)}` : `${formatDuration(seconds)} so far`,
          current: finished ? '' : progress.statement,
          finished,
        };
      case 'swap':
        return {
          phase,
          label,
          fraction: undefined,
          amount: finished ? 'the new copy of the warehouse is in place' : 'closing the copy of the warehouse, renaming it into place',
          rate: '',
          timing: finished ? `took ${formatDuration(seconds)}` : `${formatDuration(seconds)} so far`,
          current: '',
          finished,
        };
    }
  }

  /** A later phase started: those before it that have not said so are over. */
  private finishPhasesBefore(phase: LoadPhase, at: number): void {
    for (const earlier of LOAD_PHASES.slice(0, LOAD_PHASES.indexOf(phase))) {
      const state = this.phases.get(earlier);
      if (state && state.finishedAt === undefined) state.finishedAt = at;
    }
  }
}

function isComplete(progress: LoadProgress): boolean {
  switch (progress.phase) {
    case 'read':
    case 'copy':
      return progress.bytesDone >= progress.bytesTotal;
    case 'transform':
    case 'checks':
      return progress.statementsDone >= progress.statementsTotal;
    case 'swap':
      return progress.finished;
  }
}
