import { adaptForPostgres } from '../sql/postgres';
import { BatchQueue } from './batch-queue';
import { callerOf } from './caller-identity';
import { serveDataApi, type HttpAnswer } from './data-api-http';
import { DataApiOperations } from './data-api-operations';
import { DataApiError, encodeError, encodeOutput, readRequest, type DataApiHeaders } from './data-api-protocol';
import { FaultPlan } from './faults';
import { runSession } from './redshift-session';
import type { CopyRead } from './s3-copy';
import { StandInWarehouse } from './stand-in-warehouse';
import { StatementStore } from './statement-store';

/**
 * A local stand-in for the Redshift Data API that the handlers' real
 * @aws-sdk/client-redshift-data reaches through the SDK's endpoint setting
 * (AWS_ENDPOINT_URL_REDSHIFT_DATA). It runs each batch as one transaction on PGlite or a
 * Postgres server, as the caller's own database user (an IAM identity's user gets the
 * database roles its IAM role's `RedshiftDbRoles` tag lists), with COPY answered from
 * local folders standing for S3 buckets. Batches run one at a time, in the order they came.
 *
 * The parts: data-api-http.ts and data-api-protocol.ts (the wire), caller-identity.ts
 * (who signed), data-api-operations.ts (the operations), statement-store.ts and
 * statements.ts (the statements and their states), batch-queue.ts (the order they run
 * in), redshift-session.ts (running one as its user), stand-in-warehouse.ts (the
 * database and its users), s3-copy.ts (COPY), result-set.ts (results), faults.ts.
 */

/** Where the stand-in's statements run. */
export type StandInDatabase = { readonly pgliteDir?: string } | { readonly databaseUrl: string };

/**
 * A fault the stand-in injects, so a rehearsal can show how the handlers react.
 * Batches and statements count from the stand-in's start, over the submissions it
 * accepted; an ExecuteStatement is a batch of one statement. An aborted batch ran all
 * its statements first; a hanging batch hangs in its last statement, the others run.
 */
export type StandInFault =
  /** The Nth statement (1-based, counted over every batch submitted) fails with this error, rolling its batch back. */
  | { readonly kind: 'fail-statement'; readonly statement: number; readonly error: string }
  /** The Nth batch submitted ends ABORTED before committing (as a restart or a cancel from elsewhere would). */
  | { readonly kind: 'abort-batch'; readonly batch: number }
  /** The first `calls` calls of `operation` answer ThrottlingException (HTTP 400), as the real API does under load. */
  | { readonly kind: 'throttle'; readonly operation: string; readonly calls: number }
  /** The Nth batch submitted stays STARTED (never finishes) until it is cancelled: a load that outlives its timeout. */
  | { readonly kind: 'hang-batch'; readonly batch: number };

/** Options of {@link startDataApiStandIn}. */
export interface DataApiStandInOptions {
  /** Where statements run. */
  readonly database: StandInDatabase;
  /** The local folder standing for an S3 bucket (its keys are paths under it), or undefined for an unknown bucket. */
  readonly bucketFolder: (bucket: string) => string | undefined;
  /** Secret ARN → the database user it authenticates as (the warehouse's admin secret → its admin user, a superuser). */
  readonly secrets: Readonly<Record<string, string>>;
  /** The warehouse's admin user (a superuser), created when missing. */
  readonly adminUser: string;
  /** Access key id → the IAM role name of the caller that signs with it. */
  readonly accessKeys: Readonly<Record<string, string>>;
  /**
   * IAM role name → the database roles its `RedshiftDbRoles` tag lists (the tag's
   * colon-separated value, split). When the role's IAM identity signs in (each
   * submission with no SecretArn or DbUser), its database user `IAMR:<role name>` is
   * granted each of them that exists; the others are ignored, as Redshift ignores them.
   * @default no role is tagged
   */
  readonly databaseRoles?: Readonly<Record<string, readonly string[]>>;
  /** Faults to inject. @default none */
  readonly faults?: readonly StandInFault[];
  /**
   * How many submissions may run or wait at once before BatchExecuteStatement and
   * ExecuteStatement answer ActiveStatementsExceededException, as the Data API's quota does.
   * @default no limit
   */
  readonly activeStatementsLimit?: number;
}

/** One Data API call the stand-in answered, for a rehearsal's report. */
export interface StandInCall {
  readonly operation: string;
  /** The IAM role name that signed it. */
  readonly caller: string;
  /** The database user statements ran as (BatchExecuteStatement/ExecuteStatement only). */
  readonly databaseUser?: string;
  /** The statement id it names or created. */
  readonly statementId?: string;
  /** The error it answered, if any (e.g. ThrottlingException). */
  readonly error?: string;
}

/** A running stand-in. */
export interface DataApiStandIn {
  /** `http://127.0.0.1:<port>`: the endpoint the SDK is pointed at. */
  readonly endpoint: string;
  /** Every call answered so far, in order. */
  readonly calls: readonly StandInCall[];
  /** Ids of the statements CancelStatement cancelled. */
  readonly cancelled: readonly string[];
  /** Every COPY that loaded (committed or not), in order: its table and the objects it read. */
  readonly copies: readonly CopyRead[];
  /**
   * Runs a query (Redshift SQL, adapted as batches are) on the warehouse as `user`
   * (default the admin user) and returns its rows: for checking what a load left. It
   * commits, and waits for a running batch to end first.
   */
  query<Row extends object>(sql: string, user?: string): Promise<Row[]>;
  /** Resolves once no batch is waiting or running (a hang-batch fault runs until cancelled). */
  idle(): Promise<void>;
  /** Stops the server, aborts what still waits or runs (rolled back), and closes the database. */
  close(): Promise<void>;
}

export { iamRoleDatabaseUser } from './caller-identity';

/** Starts a stand-in: prepares the database, then listens on a free port of 127.0.0.1. */
export async function startDataApiStandIn(options: DataApiStandInOptions): Promise<DataApiStandIn> {
  const warehouse = await StandInWarehouse.open(options.database, options.adminUser);
  const faults = new FaultPlan(options.faults ?? []);
  const { databaseRoles } = options;
  const copies: CopyRead[] = [];
  const queue = new BatchQueue((submission, signal) =>
    runSession(submission, signal, {
      warehouse,
      faults,
      bucketFolder: options.bucketFolder,
      databaseRolesOf: (role) => (databaseRoles && Object.hasOwn(databaseRoles, role) ? databaseRoles[role] : []),
      copied: (read) => copies.push(read),
    }),
  );
  const calls: StandInCall[] = [];
  const cancelled: string[] = [];
  const operations = new DataApiOperations({
    store: new StatementStore(),
    queue,
    secrets: options.secrets,
    activeStatementsLimit: options.activeStatementsLimit,
    cancelled,
  });
  const answer = async (headers: DataApiHeaders, body: string) => {
    const { answer: answered, call } = answerCall(headers, body, options.accessKeys, faults, operations);
    calls.push(call);
    return answered;
  };
  const server = await serveDataApi(answer).catch(async (error: unknown) => {
    await warehouse.close();
    throw error;
  });
  return {
    endpoint: server.endpoint,
    calls,
    cancelled,
    copies,
    query: (sql, user = options.adminUser) => warehouse.asUser(user, (db) => db.query(adaptForPostgres(sql))),
    idle: () => queue.idle(),
    async close() {
      await server.close();
      await queue.stop();
      await warehouse.close();
    },
  };
}

/** Answers one call, and says what the call log records of it. */
function answerCall(
  headers: DataApiHeaders,
  body: string,
  accessKeys: Readonly<Record<string, string>>,
  faults: FaultPlan,
  operations: DataApiOperations,
): { answer: HttpAnswer; call: StandInCall } {
  const call: { operation: string; caller: string; statementId?: string } = { operation: headers.target ?? 'unknown', caller: 'unknown' };
  try {
    const request = readRequest(headers, body);
    call.operation = request.operation;
    call.caller = `unknown access key ${request.accessKeyId}`;
    const caller = callerOf(request.accessKeyId, accessKeys);
    call.caller = caller.role;
    call.statementId = typeof request.input.Id === 'string' ? request.input.Id : undefined;
    if (faults.throttles(request.operation)) throw new DataApiError('ThrottlingException', 'Rate exceeded');
    const answered = operations.answer(request.operation, caller, request.input);
    return {
      answer: { status: 200, body: encodeOutput(answered.output) },
      call: { ...call, databaseUser: answered.databaseUser, statementId: answered.statementId ?? call.statementId },
    };
  } catch (error) {
    const refused = error instanceof DataApiError ? error : new DataApiError('InternalServerException', String(error), {}, 500);
    return { answer: { status: refused.status, body: encodeError(refused) }, call: { ...call, error: `${refused.type}: ${refused.message}` } };
  }
}
