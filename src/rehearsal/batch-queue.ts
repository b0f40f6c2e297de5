import type { Submission } from './statements';

/** Runs one submission to its end (FINISHED, FAILED or ABORTED); never throws. */
export type SubmissionRunner = (submission: Submission, signal: AbortSignal) => Promise<void>;

/**
 * The stand-in's queue: submissions run one at a time, in the order they came, so a
 * submission is SUBMITTED until the ones before it ended. One waiting or running can be
 * cancelled.
 */
export class BatchQueue {
  readonly #waiting: Submission[] = [];
  #running?: { readonly submission: Submission; readonly controller: AbortController };
  /** Ends when everything queued so far has run. */
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly run: SubmissionRunner) {}

  enqueue(submission: Submission): void {
    this.#waiting.push(submission);
    this.#tail = this.#tail.then(() => this.#runNext());
  }

  /**
   * Cancels a submission: a waiting one ends ABORTED at once; a running one is told to
   * stop, and ends ABORTED, rolled back, after its current statement.
   */
  cancel(submission: Submission): void {
    const index = this.#waiting.indexOf(submission);
    if (index !== -1) {
      this.#waiting.splice(index, 1);
      submission.abort();
    } else if (this.#running?.submission === submission) {
      this.#running.controller.abort();
    }
  }

  /** Cancels everything waiting or running, and resolves when it has ended. */
  stop(): Promise<void> {
    for (const submission of [...this.#waiting]) this.cancel(submission);
    this.#running?.controller.abort();
    return this.idle();
  }

  /** Resolves once nothing waits or runs. */
  async idle(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  async #runNext(): Promise<void> {
    // A cancelled submission left the queue, so its turn runs the next one (or none).
    const submission = this.#waiting.shift();
    if (!submission) return;
    this.#running = { submission, controller: new AbortController() };
    try {
      await this.run(submission, this.#running.controller.signal);
    } finally {
      this.#running = undefined;
    }
  }
}
