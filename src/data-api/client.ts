import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  type Field,
} from '@aws-sdk/client-redshift-data';

/**
 * The only module that talks to the Redshift Data API (@aws-sdk/client-redshift-data).
 * Everything else uses {@link DataApi} and plain types, so tests can mock the client.
 */

/** Where statements run: a provisioned cluster or a Serverless workgroup, as its admin user. */
export interface WarehouseTarget {
  readonly database: string;
  readonly clusterIdentifier?: string;
  /** The admin secret; the Data API reads it, never this code. */
  readonly secretArn?: string;
  readonly workgroupName?: string;
}

/** Whether an error is the Data API (or the SDK) saying the caller sent too many requests. */
export function isThrottling(error: unknown): boolean {
  const { name, $retryable } = error as { name?: string; $retryable?: { throttling?: boolean } };
  return $retryable?.throttling === true || name === 'ThrottlingException' || name === 'TooManyRequestsException';
}

/** The states of a statement (ALL is only a ListStatements filter). */
export type StatementState = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

/** The states of a statement that has not ended yet. */
export const RUNNING_STATES: ReadonlySet<StatementState> = new Set(['SUBMITTED', 'PICKED', 'STARTED']);

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
  async submitBatch(target: WarehouseTarget, sqls: readonly string[], name: string): Promise<string> {
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
