import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  type Field,
} from '@aws-sdk/client-redshift-data';

import type { WarehouseAddress } from './target';

/**
 * The only module that talks to the Redshift Data API (@aws-sdk/client-redshift-data).
 * Everything else uses {@link DataApi} and plain types, so tests can mock the client.
 */

/** Whether an error is the Data API (or the SDK) saying the caller sent too many requests. */
export function isThrottling(error: unknown): boolean {
  const { name, $retryable } = error as { name?: string; $retryable?: { throttling?: boolean } };
  return $retryable?.throttling === true || name === 'ThrottlingException' || name === 'TooManyRequestsException';
}

/** The states of a statement (ALL is only a ListStatements filter). */
export type StatementState = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

/** The states of a statement that has not ended yet. */
export const RUNNING_STATES: ReadonlySet<StatementState> = new Set(['SUBMITTED', 'PICKED', 'STARTED']);

/** Where a statement stands: still `running` (or waiting to), `finished`, or `failed` (FAILED or ABORTED: nothing of it committed). */
export type StatementPhase = 'running' | 'finished' | 'failed';

/** The phase of a statement in `state`. */
export function phaseOf(state: StatementState): StatementPhase {
  if (RUNNING_STATES.has(state)) return 'running';
  return state === 'FINISHED' ? 'finished' : 'failed';
}

/** One statement of a batch as the Data API describes it. */
export interface SubStatement {
  /** `<batch id>:<n>`, n counting from 1. */
  readonly id: string;
  readonly state: StatementState;
  readonly error?: string;
  /** Run time in seconds, once run. */
  readonly seconds?: number;
}

/** A batch (or single statement) as the Data API describes it. */
export interface StatementDescription {
  readonly id: string;
  readonly state: StatementState;
  readonly error?: string;
  readonly subStatements: readonly SubStatement[];
}

/** A statement as ListStatements gives it. */
export interface ListedStatement {
  readonly name: string;
  readonly id: string;
  readonly state: StatementState;
}

/** The error Redshift gave a failed statement or batch: its failed sub-statement's, else the batch's. */
export function errorOf(description: StatementDescription): string {
  const failed = description.subStatements.find((sub) => phaseOf(sub.state) === 'failed');
  return failed?.error ?? description.error ?? 'no error given';
}

/** How {@link DataApi.waitFor} waits. */
export interface StatementWait {
  /** What the statement does, starting the errors: `The query`, `Scheduled load r1: the load`. */
  readonly what: string;
  /**
   * The most it pauses between looks in all; it gives up before a pause that would pass it.
   * @default 120000 (two minutes) without `remainingMs`; none with it
   */
  readonly maxWaitMs?: number;
  /**
   * Milliseconds the caller has left (a Lambda invocation's, less what it needs after);
   * it gives up before a pause longer than that.
   * @default none: only `maxWaitMs` limits the wait
   */
  readonly remainingMs?: () => number;
  /**
   * What the error of a wait that gave up says after `is still running`.
   * @default `after <n> s of waiting.`
   */
  readonly whenGivingUp?: string;
  /**
   * The message of the error a FAILED or ABORTED statement throws.
   * @default `<what> failed: <Redshift's error>` (or `was aborted`)
   */
  readonly explainFailure?: (description: StatementDescription) => string;
  /**
   * Waits between looks; tests pass one that does not.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The first pause between two looks at a statement; each next one doubles, up to {@link LAST_PAUSE_MS}. */
const FIRST_PAUSE_MS = 250;
const LAST_PAUSE_MS = 5000;

/** A row of a result, column name to value. */
export type ResultRow = Record<string, string | number | boolean | null>;

/** The Data API calls the loader and the query command make. */
export class DataApi {
  constructor(private readonly client: RedshiftDataClient = new RedshiftDataClient({ maxAttempts: 6 })) {}

  /**
   * Submits statements as one batch: they run in order, in one transaction. The name's
   * last 64 characters (the Data API's limit) are its ClientToken, so submitting the same
   * name again returns the first submission's id instead of running twice.
   * @param name a name unique to this batch, to find it by later (ListStatements matches its prefix)
   */
  async submitBatch(target: WarehouseAddress, sqls: readonly string[], name: string): Promise<string> {
    const output = await this.client.send(
      new BatchExecuteStatementCommand({
        Sqls: [...sqls],
        Database: target.database,
        ClusterIdentifier: target.clusterIdentifier,
        SecretArn: target.secretArn,
        WorkgroupName: target.workgroupName,
        StatementName: name,
        ClientToken: name.slice(-64),
      }),
    );
    if (!output.Id) throw new Error('BatchExecuteStatement returned no statement id');
    return output.Id;
  }

  /**
   * Cancels a statement or batch that is still running: it ends ABORTED and nothing of
   * it is committed. Returns false when it had already finished.
   */
  async cancel(id: string): Promise<boolean> {
    try {
      const output = await this.client.send(new CancelStatementCommand({ Id: id }));
      return output.Status ?? false;
    } catch (error) {
      // The Data API refuses to cancel a statement that has already ended.
      if ((error as Error).name === 'ValidationException') return false;
      throw error;
    }
  }

  /** Describes a statement or batch. */
  async describe(id: string): Promise<StatementDescription> {
    const output = await this.client.send(new DescribeStatementCommand({ Id: id }));
    return {
      id,
      state: (output.Status ?? 'SUBMITTED') as StatementState,
      error: output.Error,
      subStatements: (output.SubStatements ?? []).map((sub) => ({
        id: sub.Id ?? '',
        state: (sub.Status ?? 'SUBMITTED') as StatementState,
        error: sub.Error,
        seconds: sub.Duration === undefined || sub.Duration < 0 ? undefined : sub.Duration / 1e9,
      })),
    };
  }

  /**
   * Looks at a statement until it ends, pausing longer after each look (from a quarter
   * of a second up to five seconds). A throttled look counts as still running. Returns
   * the description of the finished statement.
   * @throws the failure's message when it FAILED or was ABORTED; that it is still running
   * when the wait gives up (the statement goes on in Redshift, and commits or rolls back on its own)
   */
  async waitFor(id: string, wait: StatementWait): Promise<StatementDescription> {
    const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const maxWaitMs = wait.maxWaitMs ?? (wait.remainingMs ? Number.POSITIVE_INFINITY : 120_000);
    let waitedMs = 0;
    for (let pauseMs = FIRST_PAUSE_MS; ; pauseMs = Math.min(2 * pauseMs, LAST_PAUSE_MS)) {
      const description = await this.describe(id).catch((error: unknown) => {
        if (isThrottling(error)) return undefined;
        throw error;
      });
      const phase = description ? phaseOf(description.state) : 'running';
      if (description && phase === 'finished') return description;
      if (description && phase === 'failed') {
        const how = description.state === 'ABORTED' ? 'was aborted' : 'failed';
        throw new Error(wait.explainFailure?.(description) ?? `${wait.what} ${how}: ${errorOf(description)}`);
      }
      if (waitedMs + pauseMs > maxWaitMs || (wait.remainingMs && wait.remainingMs() < pauseMs)) {
        throw new Error(`${wait.what} (statement ${id}) is still running ${wait.whenGivingUp ?? `after ${Math.round(waitedMs / 1000)} s of waiting.`}`);
      }
      await sleep(pauseMs);
      waitedMs += pauseMs;
    }
  }

  /** The ids of this role's statements whose name starts with `namePrefix`, by name. */
  async findByName(namePrefix: string): Promise<Map<string, string>> {
    const listed = await this.listByName(namePrefix);
    return new Map(listed.map((statement) => [statement.name, statement.id]));
  }

  /**
   * This role's statements whose name starts with `namePrefix`, in any state, with their
   * states (without `Status: 'ALL'`, ListStatements shows only finished statements).
   */
  async listByName(namePrefix: string): Promise<ListedStatement[]> {
    const found: ListedStatement[] = [];
    let nextToken: string | undefined;
    do {
      const output = await this.client.send(
        new ListStatementsCommand({ StatementName: namePrefix, Status: 'ALL', RoleLevel: true, NextToken: nextToken }),
      );
      for (const statement of output.Statements ?? []) {
        if (statement.StatementName && statement.Id) {
          found.push({ name: statement.StatementName, id: statement.Id, state: (statement.Status ?? 'SUBMITTED') as StatementState });
        }
      }
      nextToken = output.NextToken;
    } while (nextToken);
    return found;
  }

  /** Every row of a finished statement's result, following the pages. */
  async resultRows(id: string): Promise<ResultRow[]> {
    const rows: ResultRow[] = [];
    let nextToken: string | undefined;
    do {
      const output = await this.client.send(new GetStatementResultCommand({ Id: id, NextToken: nextToken }));
      const names = (output.ColumnMetadata ?? []).map((column, index) => column.name ?? `column${index + 1}`);
      for (const record of output.Records ?? []) {
        rows.push(Object.fromEntries(record.map((field, index) => [names[index], fieldValue(field)])));
      }
      nextToken = output.NextToken;
    } while (nextToken);
    return rows;
  }
}

function fieldValue(field: Field): string | number | boolean | null {
  if (field.isNull) return null;
  return field.longValue ?? field.doubleValue ?? field.stringValue ?? field.booleanValue ?? null;
}
