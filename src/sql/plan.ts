import { openEveryBatch } from './batches';
import { SqlIdentifier, renderTemplate, type SqlParameter } from './render';
import type { SqlFile } from './sql-files';
import { splitStatements } from './split';

/**
 * What a statement does in the load, from the file it comes from: `namespace` (create
 * the warehouse's own schema and make it the session's search path), `claim` (lock the
 * manifest, stage the run's file list: scheduled loads), `reset` (drop every table:
 * rebuilds only), `schema` (create what is missing, empty
 * staging), `access` (the database role people read the tables with: the deployed
 * warehouse only), `copy` (S3 to staging), `transform` (staging to star), `check` (a
 * data-quality query returning `failures`; also any statement under a `-- check:`
 * line), `manifest` (record the loaded files: scheduled loads), `summary` (row counts).
 */
export type StatementKind = 'namespace' | 'claim' | 'reset' | 'schema' | 'access' | 'copy' | 'transform' | 'check' | 'manifest' | 'summary';

/**
 * How a load treats what the warehouse already holds: `rebuild` drops every table first,
 * grants read on the new ones and loads everything (what a deploy does); `incremental`
 * keeps the tables (and their grants) and adds the staged files' rows (what the local
 * runner and scheduled loads do).
 */
export type LoadMode = 'rebuild' | 'incremental';

/** One rendered Redshift statement of the load, in run order. */
export interface PlannedStatement {
  /** What the statement does. */
  readonly kind: StatementKind;
  /** The file under `sql/` it comes from, e.g. `04_copy.sql` or `scheduled/04_copy.sql`. */
  readonly file: string;
  /** For `check` statements: the name after `-- check:` that a failure reports. */
  readonly checkName?: string;
  /** What a failure of the statement means, from an `-- on failure:` line above it. */
  readonly failureHint?: string;
  /** The statement in the Redshift dialect, parameters rendered, ending with `;`. */
  readonly sql: string;
}

/**
 * Where the source JSON files are in S3: the one shape the construct resolves its
 * `source` prop to (lib/source.ts's `ResolvedSource`), the preflight checks and COPY reads.
 */
export interface SourceFiles {
  /** The S3 bucket holding the source data. */
  readonly bucket: string;
  /** The bucket's region, given to COPY as `REGION`. */
  readonly region: string;
  /** The key prefix of the song files. */
  readonly songPrefix: string;
  /** The key prefix of the event log files. */
  readonly logPrefix: string;
  /** The key of the JSONPaths file mapping event keys to `staging_events` columns. */
  readonly jsonPathsKey: string;
}

/** Where the COPY statements read from and how: the source files, the role that reads them, the errors allowed. */
export interface CopySource extends SourceFiles {
  /** The ARN of the IAM role Redshift assumes to read the bucket. */
  readonly copyRoleArn: string;
  /** How many records each COPY may reject before it fails (Redshift's MAXERROR). */
  readonly maxErrors: number;
  /**
   * The schema the warehouse's tables live in (created by the load), so they never meet
   * another application's tables of the same name.
   * @default {@link DEFAULT_WAREHOUSE_SCHEMA}
   */
  readonly schema?: string;
}

/** The schema a warehouse lives in unless told otherwise, locally and on Redshift. */
export const DEFAULT_WAREHOUSE_SCHEMA = 'sparkify';

const KIND_BY_FILE_STEM: Readonly<Record<string, StatementKind>> = {
  activate_schema: 'namespace',
  claim_files: 'claim',
  drop: 'reset',
  create_staging: 'schema',
  create_star: 'schema',
  grant_read: 'access',
  copy: 'copy',
  copy_events: 'copy',
  copy_songs: 'copy',
  transform: 'transform',
  checks: 'check',
  record_files: 'manifest',
  summary: 'summary',
};

const CHECK_NAME = /^check:\s*([a-z0-9_]+)$/;
const FAILURE_HINT = /^on failure:\s*(.+)$/;

/** The `s3://bucket/key` URI of a key in the source bucket. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key.replace(/^\/+/, '')}`;
}

/** The values the `{{ name }}` placeholders of `sql/` take for a source. */
export function copyParameters(source: CopySource): Record<string, SqlParameter> {
  return {
    song_data_uri: s3Uri(source.bucket, source.songPrefix),
    log_data_uri: s3Uri(source.bucket, source.logPrefix),
    log_jsonpaths_uri: s3Uri(source.bucket, source.jsonPathsKey),
    source_region: source.region,
    copy_role_arn: source.copyRoleArn,
    max_errors: source.maxErrors,
    schema: new SqlIdentifier(source.schema ?? DEFAULT_WAREHOUSE_SCHEMA),
  };
}

/**
 * Turns the numbered `sql/` files into the ordered list of statements of one load.
 * The Lambda sends this list to Redshift; the local runner runs it on Postgres.
 * @param mode `rebuild` (the default, what a deploy runs) or `incremental` (no `reset` or `access` statements)
 * @param runParameters values for placeholders only one run knows (a scheduled run's manifests)
 */
export function buildLoadPlan(
  files: readonly SqlFile[],
  source: CopySource,
  mode: LoadMode = 'rebuild',
  runParameters: Readonly<Record<string, SqlParameter>> = {},
): PlannedStatement[] {
  const parameters = { ...copyParameters(source), ...runParameters };
  const statements = files.flatMap((file) => {
    const fileKind = kindOfFile(file.name);
    if ((fileKind === 'reset' || fileKind === 'access') && mode === 'incremental') return [];
    return splitStatements(file.text).map((statement): PlannedStatement => {
      const sql = renderTemplate(statement.sql, parameters);
      const comment = (pattern: RegExp) => statement.leadingComments.map((line) => pattern.exec(line)?.[1]).find((value) => value !== undefined);
      const checkName = comment(CHECK_NAME);
      const failureHint = comment(FAILURE_HINT);
      const described = { file: file.name, sql, ...(failureHint ? { failureHint } : {}) };
      if (checkName) return { kind: 'check', checkName, ...described };
      if (fileKind === 'check') {
        throw new Error(`${file.name}: every check needs a "-- check: name" line right above it: ${sql.slice(0, 60)}`);
      }
      return { kind: fileKind, ...described };
    });
  });
  // Each Data API batch is a session of its own: every one starts by entering the schema.
  const namespace = statements.filter((statement) => statement.kind === 'namespace');
  return openEveryBatch(namespace, statements.filter((statement) => statement.kind !== 'namespace'));
}

function kindOfFile(name: string): StatementKind {
  const stem = name.replace(/^.*\//, '').replace(/^\d{2}_/, '').replace(/\.sql$/, '');
  const kind = KIND_BY_FILE_STEM[stem];
  if (!kind) {
    throw new Error(`sql/${name}: unknown file; name it NN_<${Object.keys(KIND_BY_FILE_STEM).join('|')}>.sql`);
  }
  return kind;
}

/**
 * A check as Redshift runs it inside the load's transaction: it divides by zero when
 * the check finds failures, so the statement fails and the whole load rolls back.
 */
export function asAssertion(check: PlannedStatement): string {
  const query = check.sql.replace(/;\s*$/, '');
  return `SELECT 1 / CASE WHEN failures = 0 THEN 1 ELSE 0 END AS ${check.checkName}_passed\nFROM (\n${query}\n) AS check_result;`;
}

/** The SQL text the Data API runs for each statement: checks become assertions. */
export function toRedshiftSql(plan: readonly PlannedStatement[]): string[] {
  return plan.map((statement) => (statement.kind === 'check' ? asAssertion(statement) : statement.sql));
}

/** A one-line summary of a statement for error messages and logs. */
export function summarizeSql(sql: string, maxLength = 100): string {
  const oneLine = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1)}…`;
}
