import { DataApiError, validationError } from './data-api-protocol';
import { ACTIVE_STATUSES, type Caller, type SqlStatement, type StatementStatus, type Submission } from './statements';

/**
 * Every submission the stand-in took, as the Data API keeps them: found by id (a
 * sub-statement by `<id>:<n>`) only by the IAM role that submitted it, by ClientToken for
 * idempotent resubmission, and listed newest first, a page at a time.
 */

/** A submission, and the one of its statements an id named, if it named one. */
export interface Found {
  readonly submission: Submission;
  readonly statement?: SqlStatement;
}

/** Which statements ListStatements lists. */
export interface ListFilter {
  /** Only names starting with this (case-sensitive). */
  readonly namePrefix?: string;
  /** Only statements in this state; ALL for any. */
  readonly status: StatementStatus | 'ALL';
  /** All of the caller's role's statements (true), or only its session's (false). */
  readonly roleLevel: boolean;
  readonly database?: string;
  readonly clusterIdentifier?: string;
  readonly workgroupName?: string;
}

/** One page of a listing. */
export interface ListPage {
  readonly submissions: readonly Submission[];
  readonly nextToken?: string;
}

export class StatementStore {
  /** In submission order. */
  readonly #submissions: Submission[] = [];
  readonly #byId = new Map<string, Submission>();
  readonly #byClientToken = new Map<string, Submission>();

  add(submission: Submission, clientToken?: string): void {
    this.#submissions.push(submission);
    this.#byId.set(submission.id, submission);
    if (clientToken !== undefined) this.#byClientToken.set(tokenKey(submission.caller, clientToken), submission);
  }

  /** The submission the caller's role made with this ClientToken, if any. */
  byClientToken(caller: Caller, clientToken: string): Submission | undefined {
    return this.#byClientToken.get(tokenKey(caller, clientToken));
  }

  /**
   * The submission or sub-statement `id` names.
   * @throws ResourceNotFoundException, as the Data API answers, when there is none or
   *   another IAM role submitted it
   */
  find(id: string, caller: Caller): Found {
    const [submissionId, number] = id.split(':');
    const submission = this.#byId.get(submissionId);
    const statement = number === undefined ? undefined : submission?.statements[Number(number) - 1];
    const named = number === undefined || (submission?.kind === 'batch' && statement?.id === id);
    if (!submission || submission.caller.role !== caller.role || !named) {
      throw new DataApiError('ResourceNotFoundException', 'Query does not exist', { ResourceId: id }, 404);
    }
    return { submission, statement };
  }

  /** How many submissions still run or wait to. */
  activeCount(): number {
    return this.#submissions.filter((submission) => ACTIVE_STATUSES.has(submission.status)).length;
  }

  /**
   * The caller's submissions that pass the filter, newest first, `pageSize` at a time
   * from `nextToken` (the token of the page before).
   * @throws ValidationException for a token this store did not give
   */
  list(caller: Caller, filter: ListFilter, pageSize: number, nextToken?: string): ListPage {
    const before = nextToken === undefined ? this.#submissions.length : pagePosition(nextToken, this.#submissions.length);
    const matching: Submission[] = [];
    let position = before - 1;
    for (; position >= 0 && matching.length < pageSize; position -= 1) {
      if (passes(this.#submissions[position], caller, filter)) matching.push(this.#submissions[position]);
    }
    const more = this.#submissions.slice(0, position + 1).some((submission) => passes(submission, caller, filter));
    return { submissions: matching, nextToken: more ? Buffer.from(String(position + 1)).toString('base64url') : undefined };
  }
}

function tokenKey(caller: Caller, clientToken: string): string {
  return `${caller.role}\u0000${clientToken}`;
}

function passes(submission: Submission, caller: Caller, filter: ListFilter): boolean {
  const { connection } = submission;
  return (
    submission.caller.role === caller.role &&
    (filter.roleLevel || submission.caller.accessKeyId === caller.accessKeyId) &&
    (filter.status === 'ALL' || submission.status === filter.status) &&
    (filter.namePrefix === undefined || (submission.name ?? '').startsWith(filter.namePrefix)) &&
    (filter.database === undefined || connection.database === filter.database) &&
    (filter.clusterIdentifier === undefined || connection.clusterIdentifier === filter.clusterIdentifier) &&
    (filter.workgroupName === undefined || connection.workgroupName === filter.workgroupName)
  );
}

function pagePosition(nextToken: string, count: number): number {
  const position = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(position) || position <= 0 || position > count) throw validationError(`Invalid NextToken: ${nextToken}`);
  return position;
}
