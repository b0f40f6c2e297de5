/**
 * CONTRACT (written first, filled in by the implementation): a local stand-in for the
 * Redshift Data API that the handlers' real @aws-sdk/client-redshift-data reaches
 * through the SDK's endpoint setting (AWS_ENDPOINT_URL_REDSHIFT_DATA). It runs each
 * batch as one transaction on PGlite or a Postgres server, as the caller's own database
 * role, with COPY answered from local folders standing for S3 buckets.
 */

/** Where the stand-in's statements run. */
export type StandInDatabase = { readonly pgliteDir?: string } | { readonly databaseUrl: string };

/** A fault the stand-in injects, so a rehearsal can show how the handlers react. */
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
  /** Faults to inject. @default none */
  readonly faults?: readonly StandInFault[];
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
  /** Runs a query on the warehouse as `user` (default the admin user) and returns its rows: for checking what a load left. */
  query<Row extends object>(sql: string, user?: string): Promise<Row[]>;
  /** Resolves once no batch is waiting or running. */
  idle(): Promise<void>;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

/** The database user Redshift maps an IAM role to when the Data API is called with the caller's IAM identity. */
export function iamRoleDatabaseUser(roleName: string): string {
  return `IAMR:${roleName}`;
}

export declare function startDataApiStandIn(options: DataApiStandInOptions): Promise<DataApiStandIn>;
