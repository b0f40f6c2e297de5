import { splitIntoBatches } from '../sql/batches';
import { summarizeSql } from '../sql/plan';
import { isThrottling, phaseOf, RUNNING_STATES, type DataApi, type StatementDescription } from './client';
import { checkTarget } from './target';
import type { LoadProperties, StatementInfo } from './load-properties';

/**
 * The load's logic, free of Lambda: submit the statements in batches (each one
 * transaction), follow them, and turn the outcome into attributes or a readable error.
 */

/** Where a load stands after one look. */
export type LoadProgress = { readonly done: false } | { readonly done: true; readonly attributes: Record<string, string> };

/** Writes one structured log line. Never given secrets. */
export type Logger = (entry: Record<string, unknown>) => void;

/** The statement name of batch `batch` (1-based) of the load started by request `requestId`. */
export function batchName(requestId: string, batch: number): string {
  return `${namePrefix(requestId)}${String(batch).padStart(3, '0')}`;
}

/** Every batch of every deploy load has a name starting with this. */
const LOAD_STATEMENT_PREFIX = 'sparkify-load-';

function namePrefix(requestId: string): string {
  return `${LOAD_STATEMENT_PREFIX}${requestId}-batch-`;
}

/** Starts a load: submits its first batch. Returns the batch's statement id. */
export async function startLoad(api: DataApi, properties: LoadProperties, requestId: string, log: Logger): Promise<string> {
  if (properties.Statements.length !== properties.StatementInfo.length) {
    throw new Error(`${properties.Statements.length} statements but ${properties.StatementInfo.length} StatementInfo entries`);
  }
  const batches = splitIntoBatches(properties.Statements);
  const id = await submit(api, properties, requestId, batches, 1);
  log({ event: 'load-started', batches: batches.length, statements: properties.Statements.length, statementId: id, sqlHash: properties.SqlHash });
  return id;
}

async function submit(api: DataApi, properties: LoadProperties, requestId: string, batches: string[][], batch: number): Promise<string> {
  return api.submitBatch(checkTarget(properties.Target, "The load's Target property"), batches[batch - 1], batchName(requestId, batch));
}

/** When a load started, as onEvent returns it to isComplete. */
export interface LoadClock {
  /** Epoch milliseconds at which onEvent started the load. */
  readonly startedAtMs: number;
  /** Now, in epoch milliseconds. */
  readonly nowMs: number;
}

/**
 * Looks at a running load once: still running; finished a batch (then submits the next);
 * finished the last (then reads the row counts); or failed (then throws what failed).
 * A load still running after `CancelAfterSeconds` is cancelled and reported as failed,
 * so it cannot commit after the deploy gave up on it. A throttled look counts as
 * still running: the next look tries again.
 */
export async function checkLoad(
  api: DataApi,
  properties: LoadProperties,
  requestId: string,
  log: Logger,
  clock: LoadClock,
): Promise<LoadProgress> {
  try {
    return await lookAtLoad(api, properties, requestId, log, clock);
  } catch (error) {
    if (!isThrottling(error)) throw error;
    log({ event: 'throttled', note: 'the Data API asked to slow down; the next look tries again', error: (error as Error).message });
    return { done: false };
  }
}

async function lookAtLoad(api: DataApi, properties: LoadProperties, requestId: string, log: Logger, clock: LoadClock): Promise<LoadProgress> {
  const batches = splitIntoBatches(properties.Statements);
  const submitted = await api.findByName(namePrefix(requestId));
  let current = 0;
  for (let batch = batches.length; batch >= 1; batch -= 1) {
    if (submitted.has(batchName(requestId, batch))) {
      current = batch;
      break;
    }
  }
  if (current === 0) return { done: false }; // not listed yet: the Data API lists with a short delay
  const description = await api.describe(submitted.get(batchName(requestId, current)) as string);
  const offset = batches.slice(0, current - 1).reduce((count, batch) => count + batch.length, 0);
  switch (phaseOf(description.state)) {
    case 'running': {
      const limitSeconds = Number(properties.CancelAfterSeconds);
      const elapsedSeconds = (clock.nowMs - clock.startedAtMs) / 1000;
      if (elapsedSeconds < limitSeconds) return { done: false };
      const cancelled = await api.cancel(description.id);
      log({ event: 'load-cancelled', statementId: description.id, batch: current, elapsedSeconds, cancelled });
      throw new Error(
        `The load ran past ${limitSeconds} s (batch ${current} of ${batches.length} still ${description.state.toLowerCase()} after ` +
          `${Math.round(elapsedSeconds)} s), so it was cancelled: batch ${current} is rolled back and commits nothing` +
          (current > 1 ? `; batches 1 to ${current - 1} had committed` : '') +
          '. Give the load more time (loadTimeout, at most one hour), or more capacity.',
      );
    }
    case 'failed':
      throw new Error(failureMessage(description, properties, offset));
    case 'finished': {
      logDurations(description, properties.StatementInfo, offset, log);
      if (current < batches.length) {
        const id = await submit(api, properties, requestId, batches, current + 1);
        log({ event: 'batch-submitted', batch: current + 1, of: batches.length, statementId: id });
        return { done: false };
      }
      const earlier = await Promise.all(
        batches.slice(0, -1).map((_, index) => api.describe(submitted.get(batchName(requestId, index + 1)) as string)),
      );
      return { done: true, attributes: await finishedAttributes(api, [...earlier, description], properties) };
    }
  }
}

/** The row counts (from the summary, the last statement) and the seconds per kind of statement. */
async function finishedAttributes(
  api: DataApi,
  batches: readonly StatementDescription[],
  properties: LoadProperties,
): Promise<Record<string, string>> {
  const subStatements = batches.flatMap((batch) => batch.subStatements);
  const summary = subStatements.at(-1);
  if (!summary || properties.StatementInfo.at(-1)?.kind !== 'summary') {
    throw new Error('The load finished but its last statement is not the summary of sql/07_summary.sql');
  }
  // Every column of the summary becomes an attribute: sql/07_summary.sql is the one list of them.
  const [counts] = await api.resultRows(summary.id);
  if (!counts) throw new Error('The load finished but its summary (sql/07_summary.sql) returned no row');
  const attributes: Record<string, string> = {};
  for (const [column, value] of Object.entries(counts)) attributes[attributeName(column)] = String(value ?? '');
  const seconds = new Map<string, number>();
  subStatements.forEach((sub, index) => {
    const kind = properties.StatementInfo[index].kind;
    seconds.set(kind, (seconds.get(kind) ?? 0) + (sub.seconds ?? 0));
  });
  for (const [kind, total] of seconds) attributes[`${attributeName(kind)}Seconds`] = total.toFixed(3);
  attributes.TotalSeconds = [...seconds.values()].reduce((sum, value) => sum + value, 0).toFixed(3);
  return attributes;
}

/** `staging_events` → `StagingEvents`: CloudFormation attribute names are alphanumeric. */
export function attributeName(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function logDurations(description: StatementDescription, info: readonly StatementInfo[], offset: number, log: Logger): void {
  description.subStatements.forEach((sub, index) => {
    const statement = info[offset + index];
    log({ event: 'statement-finished', statement: offset + index + 1, kind: statement?.kind, file: statement?.file, check: statement?.checkName, seconds: sub.seconds });
  });
}

/** The statements of a load and what the handler knows of each, as a failure message needs them. */
export type LoadStatements = Pick<LoadProperties, 'Statements' | 'StatementInfo'>;

/** What failed, where, and what to do next: the error CloudFormation (or the scheduled load's alarm) shows. */
export function failureMessage(description: StatementDescription, properties: LoadStatements, offset: number): string {
  const total = properties.Statements.length;
  const failedIndex = description.subStatements.findIndex((sub) => phaseOf(sub.state) === 'failed');
  if (failedIndex === -1) {
    const how = description.state === 'ABORTED' ? 'was aborted (cancelled, or the warehouse restarted)' : `failed: ${description.error ?? 'no error given'}`;
    return `The load's batch ${description.id} ${how}. Nothing of it was committed.`;
  }
  const sub = description.subStatements[failedIndex];
  const number = offset + failedIndex + 1;
  const info = properties.StatementInfo[number - 1];
  const what = `Statement ${number} of ${total} (${info?.file ?? 'sql/'}: ${summarizeSql(properties.Statements[number - 1] ?? '', 80)})`;
  const error = sub.state === 'ABORTED' ? 'was aborted (cancelled, or the warehouse restarted)' : `failed: ${sub.error ?? description.error ?? 'no error given'}`;
  const hint = info?.failureHint
    ? ` ${info.checkName ? `Check ${info.checkName}: ` : ''}${info.failureHint}.`
    : info?.kind === 'check'
      ? ` Data-quality check ${info.checkName} found rows breaking its rule (its assertion divides by zero to roll the load back; ` +
        "Redshift's error cannot carry the rows' keys, see docs/AWS-FACTS.md). The rollback undid this load's tables too, so the " +
        `check's query (sql/${info.file}) now sees the warehouse as it was: to see the offending keys, load the same source ` +
        'files locally (npm run local -- --data DIR names the first five of each failed check).'
      : info?.kind === 'copy'
        ? ' COPY rejected records or could not read the source: query SYS_LOAD_ERROR_DETAIL (provisioned or Serverless) or STL_LOAD_ERRORS (provisioned) for the file, line and reason.'
        : '';
  return `${what} ${error}.${hint} The load ran as one transaction: nothing of it was committed.`;
}

/**
 * Cancels every deploy load of this identity that is still running (the Data API lists
 * only the caller's own statements), so that a stack being deleted, or rolled back
 * after a failed create, leaves no load to commit later. Returns the ids cancelled.
 */
export async function cancelRunningLoads(api: DataApi, log: Logger): Promise<string[]> {
  const running = (await api.listByName(LOAD_STATEMENT_PREFIX)).filter((statement) => RUNNING_STATES.has(statement.state));
  const cancelled: string[] = [];
  for (const statement of running) {
    if (await api.cancel(statement.id)) cancelled.push(statement.id);
  }
  if (running.length > 0) log({ event: 'running-loads-cancelled', statementIds: cancelled });
  return cancelled;
}
