import type { LocalDatabase } from '../local/database';
import { adaptForPostgres } from '../sql/postgres';
import type { FaultPlan } from './faults';
import { toResultSet } from './result-set';
import { copyFromBuckets, isCopyStatement, type BucketFolders, type CopyRead } from './s3-copy';
import type { StandInWarehouse } from './stand-in-warehouse';
import type { SqlStatement, StatementOutcome, Submission } from './statements';

/** What a session needs besides its submission. */
export interface SessionContext {
  readonly warehouse: StandInWarehouse;
  readonly bucketFolder: BucketFolders;
  readonly faults: FaultPlan;
  /** The database roles an IAM role's `RedshiftDbRoles` tag lists (none for an untagged role). */
  readonly databaseRolesOf: (iamRole: string) => readonly string[];
  /** Told of every COPY that loaded: its table and the objects it read. */
  readonly copied: (read: CopyRead) => void;
}

/** Redshift's process ids are large numbers; each session gets its own. */
const FIRST_REDSHIFT_PID = 1_073_741_824;

/** Ends a session's transaction with a rollback when the submission is cancelled or aborted. */
class SessionAborted extends Error {
  constructor() {
    super('The statement was aborted');
  }
}

/** A statement failing as a fault told it to, with the fault's error as it was given. */
class InjectedFailure extends Error {}

/**
 * Runs a submission as Redshift runs a Data API batch: in a session of its own, as its
 * database user (an IAM identity signs in: its user is created on its first connection
 * and granted the database roles its IAM role's tag lists), its statements in order, in
 * one transaction. Redshift SQL is adapted for Postgres by
 * `adaptForPostgres`; COPY reads the folders standing for buckets.
 *
 * - All run: the transaction commits and the submission is FINISHED.
 * - A statement fails: it is FAILED with the database's error (`ERROR: ...`, as the Data
 *   API reports Redshift's), the submission FAILED with the same error, everything is
 *   rolled back. The statements after it never ran: they end ABORTED. (The stand-in's
 *   reading of the Data API, whose documents do not say; src/data-api/deploy-load.ts looks for
 *   the first FAILED or ABORTED sub-statement either way.)
 * - `signal` aborts (CancelStatement) or an abort-batch fault strikes: rolled back, ABORTED.
 */
export async function runSession(submission: Submission, signal: AbortSignal, context: SessionContext): Promise<void> {
  const { connection } = submission;
  submission.start(FIRST_REDSHIFT_PID + submission.number);
  try {
    if (connection.iamIdentity) {
      await context.warehouse.signInIamUser(connection.databaseUser, context.databaseRolesOf(submission.caller.role));
    }
    await context.warehouse.asUser(connection.databaseUser, (db) => runStatements(db, submission, signal, context));
    submission.finish();
  } catch (error) {
    if (error instanceof SessionAborted) submission.abort();
    else submission.fail(redshiftError(error));
  }
}

async function runStatements(db: LocalDatabase, submission: Submission, signal: AbortSignal, context: SessionContext): Promise<void> {
  const hangs = context.faults.hangsBatch(submission.number);
  const last = submission.statements.length - 1;
  for (const [index, statement] of submission.statements.entries()) {
    if (signal.aborted) throw new SessionAborted();
    statement.start();
    // A hanging batch hangs in its last statement, after the others ran: the rollback of
    // their work on cancel is real.
    if (hangs && index === last) await untilAborted(signal);
    try {
      statement.finish(await runStatement(db, statement, context));
    } catch (error) {
      statement.fail(redshiftError(error));
      throw error;
    }
  }
  if (signal.aborted || context.faults.abortsBatch(submission.number)) throw new SessionAborted();
}

async function runStatement(db: LocalDatabase, statement: SqlStatement, context: SessionContext): Promise<StatementOutcome> {
  const injected = context.faults.statementError(statement.ordinal);
  if (injected !== undefined) throw new InjectedFailure(injected);
  if (isCopyStatement(statement.sql)) {
    const { rows, table, objects } = await copyFromBuckets(db, statement.sql, context.bucketFolder);
    context.copied({ table, objects });
    return { resultRows: rows };
  }
  const result = await db.execute(adaptForPostgres(statement.sql));
  return result.columns.length > 0 ? { resultSet: toResultSet(result), resultRows: result.rows.length } : { resultRows: result.affectedRows };
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new SessionAborted());
    signal.addEventListener('abort', () => reject(new SessionAborted()), { once: true });
  });
}

/** An error as the Data API reports Redshift's: `ERROR: <the database's message>`. */
function redshiftError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof InjectedFailure ? message : `ERROR: ${message}`;
}
