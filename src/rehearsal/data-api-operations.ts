import { randomUUID } from 'node:crypto';
import type { BatchQueue } from './batch-queue';
import { iamRoleDatabaseUser } from './caller-identity';
import { batchSqls, memberError, optionalString, refuseUnsupported, requiredString, statementId, statementSql, type Input } from './data-api-input';
import { DataApiError, validationError } from './data-api-protocol';
import { resultPage } from './result-set';
import type { StatementStore } from './statement-store';
import { ACTIVE_STATUSES, SqlStatement, Submission, type Caller, type Connection, type StatementStatus } from './statements';

/**
 * The Data API operations the project's handlers call, with the input checks and the
 * output members of the real API (the SDK's model, @aws-sdk/client-redshift-data
 * 3.1169.0, and the service model it is generated from). Statements run later, on the
 * queue; these answer at once.
 */

/** What the operations work with. */
export interface OperationsContext {
  readonly store: StatementStore;
  readonly queue: BatchQueue;
  /** Secret ARN → the database user it authenticates as. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Submissions that may run or wait at once, if limited. */
  readonly activeStatementsLimit?: number;
  /** Where CancelStatement records the ids it cancelled. */
  readonly cancelled: string[];
}

/** An operation's output, and what the call log records of the call. */
export interface Answered {
  readonly output: object;
  readonly statementId?: string;
  readonly databaseUser?: string;
}

/** ListStatements' page size when MaxResults is 0 or not given, and the most it may ask for. */
const LIST_PAGE_SIZE = 100;

const LIST_STATUSES: readonly (StatementStatus | 'ALL')[] = ['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'ABORTED', 'FAILED', 'ALL'];

/** Answers the operations; submissions are numbered (from 1) as faults count them. */
export class DataApiOperations {
  #submissions = 0;
  #statements = 0;

  constructor(private readonly context: OperationsContext) {}

  /**
   * Answers one call of `operation` by `caller`.
   * @throws DataApiError as the Data API answers a call it refuses
   */
  answer(operation: string, caller: Caller, input: Input): Answered {
    switch (operation) {
      case 'BatchExecuteStatement':
        return this.#submit(caller, input, 'batch', batchSqls(input));
      case 'ExecuteStatement':
        return this.#submit(caller, input, 'single', [statementSql(requiredString(input, 'Sql'))]);
      case 'DescribeStatement':
        return this.#describe(caller, input);
      case 'ListStatements':
        return this.#list(caller, input);
      case 'GetStatementResult':
        return this.#result(caller, input);
      case 'CancelStatement':
        return this.#cancel(caller, input);
      default:
        throw new DataApiError('UnknownOperationException', `The Data API stand-in does not answer ${operation}`);
    }
  }

  #submit(caller: Caller, input: Input, kind: Submission['kind'], sqls: readonly string[]): Answered {
    const connection = this.#connection(caller, input);
    const name = optionalString(input, 'StatementName', 0, 500);
    const clientToken = optionalString(input, 'ClientToken', 1, 64);
    refuseUnsupported(input);
    // The same ClientToken from the same caller is the same request: its first submission, not a second run.
    const earlier = clientToken === undefined ? undefined : this.context.store.byClientToken(caller, clientToken);
    if (earlier) return submitted(earlier);
    const { activeStatementsLimit } = this.context;
    if (activeStatementsLimit !== undefined && this.context.store.activeCount() >= activeStatementsLimit) {
      throw new DataApiError('ActiveStatementsExceededException', `Active statements exceeded the allowed quota (${activeStatementsLimit}).`);
    }
    const id = randomUUID();
    const createdAt = new Date();
    this.#submissions += 1;
    const statements = sqls.map((sql, index) => {
      this.#statements += 1;
      return new SqlStatement(kind === 'batch' ? `${id}:${index + 1}` : id, sql, this.#statements, createdAt);
    });
    const submission = new Submission(id, kind, caller, connection, statements, this.#submissions, createdAt, name);
    this.context.store.add(submission, clientToken);
    this.context.queue.enqueue(submission);
    return submitted(submission);
  }

  /**
   * Where and as whom a submission runs: a cluster or (exactly one of them) a workgroup;
   * as the user of its secret, as its DbUser (clusters only), or else as the caller's
   * IAM identity, on a workgroup or a cluster alike.
   */
  #connection(caller: Caller, input: Input): Connection {
    const database = requiredString(input, 'Database');
    const clusterIdentifier = optionalString(input, 'ClusterIdentifier', 1, 63);
    const workgroupName = optionalString(input, 'WorkgroupName', 3, 128);
    const secretArn = optionalString(input, 'SecretArn');
    const dbUser = optionalString(input, 'DbUser');
    if ((clusterIdentifier === undefined) === (workgroupName === undefined)) {
      throw validationError('Either ClusterIdentifier or WorkgroupName must be given, and not both.');
    }
    if (secretArn !== undefined && dbUser !== undefined) throw validationError('SecretArn and DbUser cannot both be given.');
    if (workgroupName !== undefined && dbUser !== undefined) throw validationError('DbUser is not supported with WorkgroupName.');
    const where = { database, clusterIdentifier, workgroupName };
    if (secretArn !== undefined) {
      const user = Object.hasOwn(this.context.secrets, secretArn) ? this.context.secrets[secretArn] : undefined;
      if (user === undefined) throw validationError(`Secrets Manager can't find the specified secret: ${secretArn}`);
      return { ...where, secretArn, databaseUser: user, iamIdentity: false };
    }
    if (dbUser !== undefined) return { ...where, dbUser, databaseUser: dbUser, iamIdentity: false };
    return { ...where, databaseUser: iamRoleDatabaseUser(caller.role), iamIdentity: true };
  }

  #describe(caller: Caller, input: Input): Answered {
    const id = statementId(input);
    const { submission, statement } = this.context.store.find(id, caller);
    const where = connectionMembers(submission);
    if (statement) return { output: { ...subStatementData(statement), ...where, RedshiftPid: submission.redshiftPid }, statementId: id };
    const common = {
      Id: submission.id,
      Status: submission.status,
      Error: submission.error,
      Duration: submission.durationNs,
      CreatedAt: submission.createdAt,
      UpdatedAt: submission.updatedAt,
      HasResultSet: submission.hasResultSet,
      RedshiftPid: submission.redshiftPid,
      ...where,
    };
    const [only] = submission.statements;
    const detail =
      submission.kind === 'batch'
        ? { SubStatements: submission.statements.map(subStatementData) }
        : { QueryString: only.sql, ResultRows: only.resultRows };
    return { output: { ...common, ...detail }, statementId: id };
  }

  #list(caller: Caller, input: Input): Answered {
    const status = optionalString(input, 'Status') ?? 'FINISHED'; // "By default, only finished statements are shown."
    if (!LIST_STATUSES.includes(status as StatementStatus)) {
      throw memberError('status', `Member must satisfy enum value set: [${LIST_STATUSES.join(', ')}]`);
    }
    const maxResults = input.MaxResults ?? 0;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > LIST_PAGE_SIZE) {
      throw memberError('maxResults', `Member must have value between 0 and ${LIST_PAGE_SIZE}`);
    }
    const roleLevel = input.RoleLevel ?? true;
    if (typeof roleLevel !== 'boolean') throw memberError('roleLevel', 'Member must be a boolean');
    const filter = {
      namePrefix: optionalString(input, 'StatementName', 0, 500),
      status: status as StatementStatus | 'ALL',
      roleLevel,
      database: optionalString(input, 'Database'),
      clusterIdentifier: optionalString(input, 'ClusterIdentifier', 1, 63),
      workgroupName: optionalString(input, 'WorkgroupName', 3, 128),
    };
    const page = this.context.store.list(caller, filter, maxResults || LIST_PAGE_SIZE, optionalString(input, 'NextToken'));
    return { output: { Statements: page.submissions.map(statementData), NextToken: page.nextToken } };
  }

  #result(caller: Caller, input: Input): Answered {
    const id = statementId(input);
    const { submission, statement } = this.context.store.find(id, caller);
    const target = statement ?? (submission.kind === 'single' ? submission.statements[0] : undefined);
    if (!target) throw validationError('BatchExecuteStatement result can only be retrieved with sub-statement id.');
    if (target.status !== 'FINISHED') {
      throw validationError(`Query has not finished: its status is ${target.status}. Please check query status with DescribeStatement.`);
    }
    if (!target.resultSet) throw validationError('Query does not have result. Please check query status with DescribeStatement.');
    return { output: resultPage(target.resultSet, optionalString(input, 'NextToken')), statementId: id };
  }

  #cancel(caller: Caller, input: Input): Answered {
    const id = statementId(input);
    const { submission, statement } = this.context.store.find(id, caller);
    // The stand-in's choice: a batch is cancelled as a whole, by its own id.
    if (statement) throw validationError(`Cancel the batch ${submission.id}: a sub-statement is not cancelled alone.`);
    if (!ACTIVE_STATUSES.has(submission.status)) {
      throw validationError(`Could not cancel a query that is already in ${submission.status} status`);
    }
    this.context.queue.cancel(submission);
    this.context.cancelled.push(id);
    return { output: { Status: true }, statementId: id };
  }
}

/** What BatchExecuteStatement and ExecuteStatement answer. */
function submitted(submission: Submission): Answered {
  return {
    output: { Id: submission.id, CreatedAt: submission.createdAt, ...connectionMembers(submission) },
    statementId: submission.id,
    databaseUser: submission.connection.databaseUser,
  };
}

/** Where a submission runs; DbUser only for a user that is not a secret's. */
function connectionMembers(submission: Submission): object {
  const { connection } = submission;
  return {
    Database: connection.database,
    ClusterIdentifier: connection.clusterIdentifier,
    WorkgroupName: connection.workgroupName,
    SecretArn: connection.secretArn,
    DbUser: connection.secretArn === undefined ? connection.databaseUser : undefined,
  };
}

function subStatementData(statement: SqlStatement): object {
  return {
    Id: statement.id,
    Status: statement.status,
    Error: statement.error,
    Duration: statement.durationNs,
    CreatedAt: statement.createdAt,
    UpdatedAt: statement.updatedAt,
    QueryString: statement.sql,
    HasResultSet: statement.resultSet !== undefined,
    ResultRows: statement.resultRows,
  };
}

function statementData(submission: Submission): object {
  const batch = submission.kind === 'batch';
  return {
    Id: submission.id,
    StatementName: submission.name,
    Status: submission.status,
    CreatedAt: submission.createdAt,
    UpdatedAt: submission.updatedAt,
    SecretArn: submission.connection.secretArn,
    IsBatchStatement: batch,
    QueryString: batch ? undefined : submission.statements[0].sql,
    QueryStrings: batch ? submission.statements.map((statement) => statement.sql) : undefined,
  };
}
