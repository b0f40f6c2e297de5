import type { ResultSet } from './result-set';

/**
 * What the stand-in remembers of each submission (a BatchExecuteStatement batch or an
 * ExecuteStatement statement) and of each of its SQL statements, and how their states
 * change as the Data API's do: SUBMITTED, then STARTED, then FINISHED, FAILED or ABORTED.
 */

/** A statement's state, as DescribeStatement and ListStatements give it. */
export type StatementStatus = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

/** The states in which a statement still runs or waits to. */
export const ACTIVE_STATUSES: ReadonlySet<StatementStatus> = new Set(['SUBMITTED', 'PICKED', 'STARTED']);

/** Who signed a call: the IAM role, and the access key of the role's session. */
export interface Caller {
  readonly role: string;
  readonly accessKeyId: string;
}

/** Where a submission runs and as whom, as its request said. */
export interface Connection {
  readonly database: string;
  readonly clusterIdentifier?: string;
  readonly workgroupName?: string;
  readonly secretArn?: string;
  /** The DbUser the request gave. */
  readonly dbUser?: string;
  /** The database user the statements run as. */
  readonly databaseUser: string;
  /** The user stands for the caller's IAM identity (created on first use, as Redshift does). */
  readonly iamIdentity: boolean;
}

/** What one SQL statement produced. */
export interface StatementOutcome {
  /** Its rows, when it has a result set (possibly empty). */
  readonly resultSet?: ResultSet;
  /** Rows returned, or rows changed or loaded by INSERT, UPDATE, DELETE or COPY. */
  readonly resultRows: number;
}

/** One SQL statement of a submission. */
export class SqlStatement {
  status: StatementStatus = 'SUBMITTED';
  error?: string;
  updatedAt: Date;
  /** Nanoseconds it ran, -1 until it ran (as the Data API reports it). */
  durationNs = -1;
  resultRows = -1;
  resultSet?: ResultSet;
  #startedMs = 0;

  constructor(
    /** `<submission id>:<n>` in a batch, n from 1; the submission's id for ExecuteStatement. */
    readonly id: string,
    readonly sql: string,
    /** Its number over every statement the stand-in was sent, from 1 (faults count with it). */
    readonly ordinal: number,
    readonly createdAt: Date,
  ) {
    this.updatedAt = createdAt;
  }

  start(): void {
    this.#startedMs = performance.now();
    this.#set('STARTED');
  }

  finish(outcome: StatementOutcome): void {
    this.#stopClock();
    this.resultRows = outcome.resultRows;
    this.resultSet = outcome.resultSet;
    this.#set('FINISHED');
  }

  fail(error: string): void {
    this.#stopClock();
    this.error = error;
    this.#set('FAILED');
  }

  /** Ends a statement that was running or waiting to run. */
  abort(): void {
    if (this.status === 'STARTED') this.#stopClock();
    this.#set('ABORTED');
  }

  #stopClock(): void {
    this.durationNs = Math.round((performance.now() - this.#startedMs) * 1e6);
  }

  #set(status: StatementStatus): void {
    this.status = status;
    this.updatedAt = new Date();
  }
}

/** A BatchExecuteStatement batch (`batch`) or an ExecuteStatement statement (`single`). */
export class Submission {
  status: StatementStatus = 'SUBMITTED';
  error?: string;
  updatedAt: Date;
  /** Redshift's process id of the session, 0 until it started. */
  redshiftPid = 0;

  constructor(
    readonly id: string,
    readonly kind: 'batch' | 'single',
    readonly caller: Caller,
    readonly connection: Connection,
    readonly statements: readonly SqlStatement[],
    /** Its number over every submission the stand-in took, from 1 (faults count with it). */
    readonly number: number,
    readonly createdAt: Date,
    readonly name?: string,
  ) {
    this.updatedAt = createdAt;
  }

  /** Nanoseconds its statements ran, -1 until one did. */
  get durationNs(): number {
    const ran = this.statements.filter((statement) => statement.durationNs >= 0);
    return ran.length === 0 ? -1 : ran.reduce((total, statement) => total + statement.durationNs, 0);
  }

  get hasResultSet(): boolean {
    return this.statements.some((statement) => statement.resultSet !== undefined);
  }

  start(redshiftPid: number): void {
    this.redshiftPid = redshiftPid;
    this.#set('STARTED');
  }

  finish(): void {
    this.#set('FINISHED');
  }

  /** Fails it (its failing statement says why); the statements that did not run end ABORTED. */
  fail(error: string): void {
    this.error = error;
    this.#abortUnfinished();
    this.#set('FAILED');
  }

  /** Aborts it, rolled back: the statements that were running or waiting end ABORTED. */
  abort(): void {
    this.#abortUnfinished();
    this.#set('ABORTED');
  }

  #abortUnfinished(): void {
    for (const statement of this.statements) {
      if (ACTIVE_STATUSES.has(statement.status)) statement.abort();
    }
  }

  #set(status: StatementStatus): void {
    this.status = status;
    this.updatedAt = new Date();
  }
}
