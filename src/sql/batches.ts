/** Limits of one Data API `BatchExecuteStatement` call. */
export interface BatchLimits {
  /**
   * Most statements in one batch.
   * @default 40
   */
  readonly maxStatements?: number;
  /**
   * Most bytes (UTF-8) in one statement.
   * @default 102400 (100 KB)
   */
  readonly maxStatementBytes?: number;
}

/** The Data API's limits for `BatchExecuteStatement`. */
export const DATA_API_BATCH_LIMITS: Required<BatchLimits> = { maxStatements: 40, maxStatementBytes: 100 * 1024 };

/**
 * Splits statements, in order, into as few batches as the limits allow. Each batch runs
 * as one transaction; the batches run one after the other.
 * @throws when one statement alone is larger than a batch may hold
 */
export function splitIntoBatches(statements: readonly string[], limits: BatchLimits = {}): string[][] {
  const { maxStatements, maxStatementBytes } = { ...DATA_API_BATCH_LIMITS, ...limits };
  statements.forEach((sql, index) => {
    const bytes = Buffer.byteLength(sql, 'utf8');
    if (bytes > maxStatementBytes) {
      throw new Error(
        `Statement ${index + 1} is ${bytes} bytes; the Data API takes at most ${maxStatementBytes} per statement`,
      );
    }
  });
  const batches: string[][] = [];
  for (let start = 0; start < statements.length; start += maxStatements) {
    batches.push(statements.slice(start, start + maxStatements));
  }
  return batches;
}

/**
 * Lays statements out so that every batch {@link splitIntoBatches} makes of them starts
 * with `opening`: each batch runs in a session of its own, so what a session must be told
 * first (the schema's search path) is told again at the start of each. `opening` is
 * followed by as many of `rest` as fit beside it in one batch, then `opening` again, and
 * so on; a load that fits one batch keeps `opening` once.
 * @throws when `opening` leaves no room in a batch
 */
export function openEveryBatch<T>(opening: readonly T[], rest: readonly T[], limits: BatchLimits = {}): T[] {
  const { maxStatements } = { ...DATA_API_BATCH_LIMITS, ...limits };
  const room = maxStatements - opening.length;
  if (room < 1) throw new Error(`${opening.length} statements open every batch; a batch holds at most ${maxStatements}`);
  if (rest.length === 0) return [...opening];
  const laidOut: T[] = [];
  for (let start = 0; start < rest.length; start += room) laidOut.push(...opening, ...rest.slice(start, start + room));
  return laidOut;
}
