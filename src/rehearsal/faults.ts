import type { StandInFault } from './data-api-stand-in';

/**
 * The faults a stand-in injects (see {@link StandInFault}), asked as calls come in and
 * batches run. Statements and batches are counted from 1 over everything submitted.
 */
export class FaultPlan {
  /** Throttled calls still to answer, by operation. */
  readonly #throttles = new Map<string, number>();

  constructor(private readonly faults: readonly StandInFault[]) {
    for (const fault of faults) {
      if (fault.kind === 'throttle') this.#throttles.set(fault.operation, (this.#throttles.get(fault.operation) ?? 0) + fault.calls);
    }
  }

  /** Whether this call of `operation` is to be throttled; counts it when it is. */
  throttles(operation: string): boolean {
    const left = this.#throttles.get(operation) ?? 0;
    if (left === 0) return false;
    this.#throttles.set(operation, left - 1);
    return true;
  }

  /** The error the statement with this ordinal is to fail with, if any. */
  statementError(ordinal: number): string | undefined {
    for (const fault of this.faults) {
      if (fault.kind === 'fail-statement' && fault.statement === ordinal) return fault.error;
    }
    return undefined;
  }

  /** Whether the batch with this number is to end ABORTED instead of committing. */
  abortsBatch(number: number): boolean {
    return this.faults.some((fault) => fault.kind === 'abort-batch' && fault.batch === number);
  }

  /** Whether the batch with this number is to stay STARTED until cancelled. */
  hangsBatch(number: number): boolean {
    return this.faults.some((fault) => fault.kind === 'hang-batch' && fault.batch === number);
  }
}
