import type { RejectedRecord } from './local-copy';

/** How many rejected records a message lists before it counts the rest. */
export const LISTED_REJECTS = 20;

/**
 * The rejected records as `file:line: reason` lines: the first {@link LISTED_REJECTS},
 * then one line counting the rest.
 */
export function rejectLines(rejects: readonly RejectedRecord[]): string[] {
  const listed = rejects.slice(0, LISTED_REJECTS).map((reject) => `${reject.file}:${reject.line}: ${reject.reason}`);
  const rest = rejects.length - listed.length;
  return rest > 0 ? [...listed, `… and ${rest} more rejected record(s)`] : listed;
}
