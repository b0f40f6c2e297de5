import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  type DescribeStatementResponse,
} from '@aws-sdk/client-redshift-data';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataApi, isThrottling } from '../../src/data-api/client';
import type { WarehouseAddress } from '../../src/data-api/target';
import { splitIntoBatches } from '../../src/sql/batches';
import { buildLoadPlan, toRedshiftSql, type CopySource } from '../../src/sql/plan';
import { buildScheduledPlan, readScheduledSql } from '../../src/sql/scheduled-plan';
import { readSqlFiles, SQL_DIR } from '../../src/sql/sql-files';
import {
  iamRoleDatabaseUser,
  startDataApiStandIn,
  type DataApiStandIn,
  type DataApiStandInOptions,
  type StandInDatabase,
} from '../../src/rehearsal/data-api-stand-in';
import { createTestDatabase } from '../helpers/engines';
import { enterSchemaStatement } from '../../src/sql/search-path';
import { play, song, tempDir, writeTree } from '../helpers/fixtures';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sparkify-admin-AbCdEf';
const DATABASE = 'dev';
/** Where the IAM identities run: a Serverless workgroup, or a cluster without a secret. */
const WORKGROUP = { WorkgroupName: 'sparkify' };
const CLUSTER_AS_IAM = { ClusterIdentifier: 'sparkify-cluster' };
/** A cluster as its admin user, through the admin secret. */
const CLUSTER_AS_ADMIN = { ClusterIdentifier: 'sparkify-cluster', SecretArn: SECRET_ARN };

/** The database users and IAM roles of one stand-in; on a shared Postgres server they are named for it alone. */
function identities(suffix: string) {
  return {
    admin: `sparkify_admin${suffix}`,
    loader: `sparkify-loader${suffix}`,
    reader: `sparkify-reader${suffix}`,
    /** An IAM role tagged RedshiftDbRoles = `table_readers:no_such_role:<the admin user>`. */
    analyst: `sparkify-analyst${suffix}`,
    /** The database role its tag names first, which the tests create. */
    readersRole: `table_readers${suffix}`,
  };
}

/** A stand-in and clients signing as its IAM roles, through the real SDK. */
interface Harness {
  readonly standIn: DataApiStandIn;
  readonly users: ReturnType<typeof identities>;
  /** Signs as the loader role (a second access key is a second session of that role). */
  client(who?: 'loader' | 'loader-session-2' | 'reader' | 'analyst' | 'stranger', maxAttempts?: number): RedshiftDataClient;
  /** Submits a batch and waits until it ended; returns its description. */
  run(sqls: readonly string[], target?: object, who?: 'loader' | 'reader' | 'analyst'): Promise<DescribeStatementResponse>;
}

async function startHarness(database: StandInDatabase, suffix: string, extra: Partial<DataApiStandInOptions> = {}): Promise<Harness> {
  const users = identities(suffix);
  const keys = {
    loader: 'AKIDLOADER0000000001',
    'loader-session-2': 'AKIDLOADER0000000002',
    reader: 'AKIDREADER0000000001',
    analyst: 'AKIDANALYST000000001',
    stranger: 'AKIDSTRANGER00000001',
  };
  const standIn = await startDataApiStandIn({
    database,
    bucketFolder: () => undefined,
    secrets: { [SECRET_ARN]: users.admin },
    adminUser: users.admin,
    accessKeys: { [keys.loader]: users.loader, [keys['loader-session-2']]: users.loader, [keys.reader]: users.reader, [keys.analyst]: users.analyst },
    databaseRoles: { [users.analyst]: [users.readersRole, `no_such_role${suffix}`, users.admin] },
    ...extra,
  });
  const client: Harness['client'] = (who = 'loader', maxAttempts = 1) =>
    new RedshiftDataClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: keys[who], secretAccessKey: 'x' }, maxAttempts });
  return {
    standIn,
    users,
    client,
    async run(sqls, target = WORKGROUP, who = 'loader') {
      const signer = client(who);
      const { Id } = await signer.send(new BatchExecuteStatementCommand({ Sqls: [...sqls], Database: DATABASE, ...target }));
      await standIn.idle();
      return signer.send(new DescribeStatementCommand({ Id }));
    },
  };
}

/** Polls a statement until `done` says so (the stand-in runs batches in the background). */
async function waitFor(client: RedshiftDataClient, id: string, done: (description: DescribeStatementResponse) => boolean) {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const description = await client.send(new DescribeStatementCommand({ Id: id }));
    if (done(description)) return description;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Statement ${id} never reached the state waited for`);
}

function errorOf(promise: Promise<unknown>): Promise<Error & { Message?: string; ResourceId?: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error) => error,
  );
}

/** Folders standing for the buckets COPY reads. */
const buckets = tempDir('sparkify-stand-in-');
const bucketFolder = (bucket: string) => ({ 'sparkify-source': path.join(buckets, 'source'), 'sparkify-runs': path.join(buckets, 'runs') })[bucket];

/** One PGlite stand-in for the tests without faults (each PGlite takes seconds to boot). */
let pglite: Promise<Harness> | undefined;
const sharedPglite = () => (pglite ??= startHarness({}, '', { bucketFolder }));
afterAll(async () => {
  await (await pglite)?.standIn.close();
});

/** The engines the core test runs on: PGlite, and a Postgres server when the tests have one. */
const SERVER_URL = process.env.SPARKIFY_TEST_DATABASE_URL;
const ENGINES = SERVER_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(ENGINES)('a batch on %s, through the real SDK client', (engine) => {
  let harness: Harness;
  let dropDatabase: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (engine === 'pglite') {
      harness = await sharedPglite();
      return;
    }
    // Roles are the server's, not one database's: this run's have names of their own.
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    harness = await startHarness({ databaseUrl: database.url }, `_${randomBytes(4).toString('hex')}`);
  });
  afterAll(async () => {
    if (!dropDatabase || !SERVER_URL) return;
    await harness?.standIn.close();
    await dropDatabase();
    const server = new Client({ connectionString: SERVER_URL });
    await server.connect();
    const { admin, loader, reader, analyst, readersRole } = harness.users;
    for (const user of [admin, iamRoleDatabaseUser(loader), iamRoleDatabaseUser(reader), iamRoleDatabaseUser(analyst), readersRole]) {
      await server.query(`DROP ROLE IF EXISTS "${user}"`);
    }
    await server.end();
  });

  it('runs in order in one transaction as the IAM identity, and is described with its sub-statements', async () => {
    const { standIn, users, client } = harness;
    const sqls = ['CREATE TABLE plays_life (n INTEGER)', 'INSERT INTO plays_life VALUES (1), (2)', 'SELECT COUNT(*) AS plays FROM plays_life'];
    const submitted = await client().send(
      new BatchExecuteStatementCommand({ Sqls: sqls, Database: DATABASE, ...WORKGROUP, StatementName: 'life-1' }),
    );
    expect(submitted).toMatchObject({ Database: DATABASE, WorkgroupName: 'sparkify', DbUser: `IAMR:${users.loader}` });
    expect(submitted.Id).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    expect(submitted.CreatedAt).toBeInstanceOf(Date);
    expect(submitted.ClusterIdentifier).toBeUndefined();
    await standIn.idle();

    const description = await client().send(new DescribeStatementCommand({ Id: submitted.Id }));
    expect(description).toMatchObject({ Id: submitted.Id, Status: 'FINISHED', HasResultSet: true, DbUser: `IAMR:${users.loader}` });
    expect(description.Duration).toBeGreaterThan(0);
    expect(description.RedshiftPid).toBeGreaterThan(0);
    expect(description.UpdatedAt!.getTime()).toBeGreaterThanOrEqual(description.CreatedAt!.getTime());
    expect(description.SubStatements?.map((sub) => [sub.Id, sub.Status, sub.QueryString, sub.HasResultSet, sub.ResultRows])).toEqual([
      [`${submitted.Id}:1`, 'FINISHED', sqls[0], false, 0],
      [`${submitted.Id}:2`, 'FINISHED', sqls[1], false, 2],
      [`${submitted.Id}:3`, 'FINISHED', sqls[2], true, 1],
    ]);
    expect(description.SubStatements?.every((sub) => sub.Duration! >= 0 && sub.CreatedAt instanceof Date)).toBe(true);

    const third = await client().send(new DescribeStatementCommand({ Id: `${submitted.Id}:3` }));
    expect(third).toMatchObject({ Id: `${submitted.Id}:3`, Status: 'FINISHED', QueryString: sqls[2] });
    expect(await new DataApi(client()).resultRows(`${submitted.Id}:3`)).toEqual([{ plays: 2 }]);
    expect(await standIn.query("SELECT tableowner FROM pg_tables WHERE tablename = 'plays_life'")).toEqual([{ tableowner: `IAMR:${users.loader}` }]);
    expect(standIn.calls.find((call) => call.operation === 'BatchExecuteStatement' && call.statementId === submitted.Id)).toEqual({
      operation: 'BatchExecuteStatement',
      caller: users.loader,
      databaseUser: `IAMR:${users.loader}`,
      statementId: submitted.Id,
    });
  });

  it("keeps each user's tables its own: another IAM user may not read or drop them, the admin secret may", async () => {
    const { run, users } = harness;
    expect((await run(['CREATE TABLE loader_owned (n INTEGER)', 'INSERT INTO loader_owned VALUES (7)'])).Status).toBe('FINISHED');

    const read = await run(['SELECT n FROM loader_owned'], WORKGROUP, 'reader');
    expect(read).toMatchObject({ Status: 'FAILED', Error: 'ERROR: permission denied for table loader_owned' });
    expect(read.SubStatements?.[0]).toMatchObject({ Status: 'FAILED', Error: 'ERROR: permission denied for table loader_owned' });
    expect((await run(['DROP TABLE loader_owned'], WORKGROUP, 'reader')).Error).toBe('ERROR: must be owner of table loader_owned');

    // A cluster without a secret: the IAM identity too, the same user as on the workgroup.
    const own = await run(['SELECT n FROM loader_owned'], CLUSTER_AS_IAM);
    expect(own).toMatchObject({ Status: 'FINISHED', DbUser: `IAMR:${users.loader}`, ClusterIdentifier: 'sparkify-cluster' });

    const admin = await run(['SELECT COUNT(*) AS n FROM loader_owned', 'DROP TABLE loader_owned'], CLUSTER_AS_ADMIN);
    expect(admin).toMatchObject({ Status: 'FINISHED', SecretArn: SECRET_ARN });
    expect(admin.DbUser).toBeUndefined();
    expect(await harness.standIn.query("SELECT to_regclass('loader_owned') IS NULL AS dropped")).toEqual([{ dropped: true }]);
  });
  it('grants an IAM identity, at each sign-in, the database roles its RedshiftDbRoles tag lists that exist, and ignores the rest', async () => {
    const { run, users, client } = harness;
    const denied = 'ERROR: permission denied for table tagged_reads';
    expect((await run(['CREATE TABLE tagged_reads (n INTEGER)', 'INSERT INTO tagged_reads VALUES (3), (4)'], CLUSTER_AS_ADMIN)).Status).toBe('FINISHED');

    // No role of its tag exists yet: the sign-in ignores them all, and the statement runs, as the user alone.
    const before = await run(['SELECT SUM(n) AS total FROM tagged_reads'], WORKGROUP, 'analyst');
    expect(before).toMatchObject({ Status: 'FAILED', Error: denied, DbUser: `IAMR:${users.analyst}` });

    const grant = await run([`CREATE ROLE ${users.readersRole}`, `GRANT SELECT ON tagged_reads TO ROLE ${users.readersRole}`], CLUSTER_AS_ADMIN);
    expect([grant.Status, grant.Error]).toEqual(['FINISHED', undefined]);

    // The next sign-in grants the role that now exists, on a workgroup and on a cluster alike.
    for (const target of [WORKGROUP, CLUSTER_AS_IAM]) {
      const read = await run(['SELECT SUM(n) AS total FROM tagged_reads'], target, 'analyst');
      expect([read.Status, read.Error, read.DbUser]).toEqual(['FINISHED', undefined, `IAMR:${users.analyst}`]);
      expect(await new DataApi(client('analyst')).resultRows(`${read.Id}:1`)).toEqual([{ total: 7 }]);
    }
    // The role, and nothing else its tag names: the admin user is a user, not a database role, and gives no ownership.
    expect((await run(['DROP TABLE tagged_reads'], WORKGROUP, 'analyst')).Error).toBe('ERROR: must be owner of table tagged_reads');
    const memberships = await harness.standIn.query<{ role: string }>(
      `SELECT granted.rolname AS role
       FROM pg_auth_members AS membership
       JOIN pg_roles AS granted ON granted.oid = membership.roleid
       JOIN pg_roles AS grantee ON grantee.oid = membership.member
       WHERE grantee.rolname = 'IAMR:${users.analyst}' AND left(granted.rolname, 3) <> 'pg_'`,
    );
    expect(memberships).toEqual([{ role: users.readersRole }]);

    // An untagged IAM role gets no database role: its user may not read the table.
    expect(await run(['SELECT SUM(n) AS total FROM tagged_reads'], WORKGROUP, 'reader')).toMatchObject({ Status: 'FAILED', Error: denied });
  });
});

describe('the Data API on PGlite, through the real SDK client', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await sharedPglite();
  });

  it('refuses what the Data API refuses', async () => {
    const loader = harness.client();
    const refused = (input: object) => errorOf(loader.send(new BatchExecuteStatementCommand({ Sqls: ['SELECT 1'], Database: DATABASE, ...input })));
    expect((await refused({ ...WORKGROUP, ...CLUSTER_AS_IAM })).name).toBe('ValidationException');
    expect((await refused({})).message).toMatch(/Either ClusterIdentifier or WorkgroupName/);
    expect((await refused({ ...WORKGROUP, DbUser: 'someone' })).name).toBe('ValidationException');
    expect((await refused({ ClusterIdentifier: 'c', SecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:other' })).message).toMatch(/can't find the specified secret/);
    expect((await refused({ ...WORKGROUP, ClientToken: 'x'.repeat(65) })).message).toMatch(/'clientToken' failed to satisfy constraint/);
    const tooMany = await errorOf(loader.send(new BatchExecuteStatementCommand({ Sqls: Array(41).fill('SELECT 1'), Database: DATABASE, ...WORKGROUP })));
    expect(tooMany.message).toMatch(/'sqls' failed to satisfy constraint: Member must have length between 1 and 40/);
    expect((await errorOf(loader.send(new DescribeStatementCommand({ Id: 'not-an-id' })))).name).toBe('ValidationException');
    const stranger = await errorOf(harness.client('stranger').send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })));
    expect(stranger.name).toBe('UnrecognizedClientException');
  });

  it('runs a batch once per ClientToken and caller, as DataApi.submitBatch relies on', async () => {
    const target: WarehouseAddress = { database: DATABASE, workgroupName: 'sparkify' };
    await harness.run(['CREATE TABLE token_runs (n INTEGER)']);
    const loader = new DataApi(harness.client());
    const first = await loader.submitBatch(target, ['INSERT INTO token_runs VALUES (1)'], 'token-batch-001');
    const again = await loader.submitBatch(target, ['INSERT INTO token_runs VALUES (1)'], 'token-batch-001');
    const sameRoleOtherSession = await new DataApi(harness.client('loader-session-2')).submitBatch(target, ['INSERT INTO token_runs VALUES (1)'], 'token-batch-001');
    expect(again).toBe(first);
    expect(sameRoleOtherSession).toBe(first);
    const otherRole = await new DataApi(harness.client('reader')).submitBatch(target, ['SELECT 1'], 'token-batch-001');
    expect(otherRole).not.toBe(first);
    await harness.standIn.idle();
    expect(await harness.standIn.query('SELECT COUNT(*) AS n FROM token_runs')).toEqual([{ n: 1 }]);
  });

  it("lists the caller's statements by name prefix, finished ones unless asked for ALL, a page at a time", async () => {
    const { client, standIn } = harness;
    const submit = (who: 'loader' | 'loader-session-2' | 'reader', name: string, sql = 'SELECT 1') =>
      client(who).send(new BatchExecuteStatementCommand({ Sqls: [sql], Database: DATABASE, ...WORKGROUP, StatementName: name }));
    for (let index = 0; index < 103; index += 1) await submit('loader', `list-${String(index).padStart(3, '0')}`);
    await submit('loader', 'list-failed', 'SELECT * FROM no_such_table');
    await submit('loader-session-2', 'list-session-2');
    await submit('reader', 'list-reader');
    await submit('loader', 'other-name');
    await standIn.idle();

    const loader = client();
    const firstPage = await loader.send(new ListStatementsCommand({ StatementName: 'list-', Status: 'ALL' }));
    expect(firstPage.Statements).toHaveLength(100);
    expect(firstPage.Statements?.[0]).toMatchObject({ StatementName: 'list-session-2', Status: 'FINISHED', IsBatchStatement: true, QueryStrings: ['SELECT 1'] });
    expect(firstPage.Statements?.[1]).toMatchObject({ StatementName: 'list-failed', Status: 'FAILED' });
    const secondPage = await loader.send(new ListStatementsCommand({ StatementName: 'list-', Status: 'ALL', NextToken: firstPage.NextToken }));
    expect(secondPage.Statements?.map((statement) => statement.StatementName)).toEqual(['list-004', 'list-003', 'list-002', 'list-001', 'list-000']);
    expect(secondPage.NextToken).toBeUndefined();

    const names = async (input: object, who: 'loader' | 'reader' = 'loader') => {
      const listed: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await client(who).send(new ListStatementsCommand({ StatementName: 'list-', ...input, NextToken }));
        listed.push(...(page.Statements ?? []).map((statement) => statement.StatementName as string));
        NextToken = page.NextToken;
      } while (NextToken);
      return listed;
    };
    expect(await names({})).toHaveLength(104); // not list-failed: by default only FINISHED
    expect(await names({ Status: 'FAILED' })).toEqual(['list-failed']);
    expect(await names({ Status: 'ALL', RoleLevel: false })).not.toContain('list-session-2');
    expect(await names({ Status: 'ALL' }, 'reader')).toEqual(['list-reader']);
    expect((await new DataApi(loader).listByName('list-'))).toHaveLength(105);
    expect((await errorOf(loader.send(new ListStatementsCommand({ MaxResults: 101 })))).name).toBe('ValidationException');
  });

  it('answers ResourceNotFoundException to any IAM role but the one that submitted', async () => {
    const { Id } = await harness.client().send(new BatchExecuteStatementCommand({ Sqls: ['SELECT 1 AS one'], Database: DATABASE, ...WORKGROUP }));
    await harness.standIn.idle();
    const reader = harness.client('reader');
    for (const command of [new DescribeStatementCommand({ Id }), new GetStatementResultCommand({ Id: `${Id}:1` }), new CancelStatementCommand({ Id })]) {
      const error = await errorOf(reader.send(command as DescribeStatementCommand));
      expect([error.name, error.message, error.ResourceId]).toEqual(['ResourceNotFoundException', 'Query does not exist', command.input.Id]);
    }
    // Another session of the same role may.
    expect((await harness.client('loader-session-2').send(new DescribeStatementCommand({ Id }))).Status).toBe('FINISHED');
  });

  it('gives each result value in the Field the Data API uses for its type, a page at a time', async () => {
    const select =
      "SELECT CAST(1 AS BIGINT) AS big, 2 AS small, CAST(2.5 AS DOUBLE PRECISION) AS ratio, CAST(1.50 AS NUMERIC(5, 2)) AS exact, 'text' AS words, " +
      "TIMESTAMP '2018-11-01 21:01:46.796' AS at, TRUE AS flag, CAST(NULL AS VARCHAR(8)) AS nothing";
    const description = await harness.run(['CREATE TABLE result_kinds (n INTEGER)', select, 'SELECT n FROM generate_series(1, 2500) AS n']);
    const loader = harness.client();
    const result = await loader.send(new GetStatementResultCommand({ Id: `${description.Id}:2` }));
    expect(result.Records).toEqual([
      [
        { longValue: 1 },
        { longValue: 2 },
        { doubleValue: 2.5 },
        { stringValue: '1.50' },
        { stringValue: 'text' },
        { stringValue: '2018-11-01 21:01:46.796' },
        { booleanValue: true },
        { isNull: true },
      ],
    ]);
    expect(result.ColumnMetadata?.map((column) => [column.name, column.typeName])).toEqual([
      ['big', 'int8'],
      ['small', 'int4'],
      ['ratio', 'float8'],
      ['exact', 'numeric'],
      ['words', 'text'],
      ['at', 'timestamp'],
      ['flag', 'bool'],
      ['nothing', 'varchar'],
    ]);
    expect([result.TotalNumRows, result.NextToken]).toEqual([1, undefined]);

    const pagesBefore = harness.standIn.calls.filter((call) => call.operation === 'GetStatementResult').length;
    const rows = await new DataApi(loader).resultRows(`${description.Id}:3`);
    expect(rows).toHaveLength(2500);
    expect(rows.at(-1)).toEqual({ n: 2500 });
    expect(harness.standIn.calls.filter((call) => call.operation === 'GetStatementResult').length - pagesBefore).toBe(3);

    const refusal = async (id: string) => (await errorOf(loader.send(new GetStatementResultCommand({ Id: id })))).message;
    expect(await refusal(description.Id!)).toBe('BatchExecuteStatement result can only be retrieved with sub-statement id.');
    expect(await refusal(`${description.Id}:1`)).toMatch(/^Query does not have result/);
  });

  it('runs ExecuteStatement as a single statement, without sub-statements', async () => {
    const loader = harness.client();
    const { Id } = await loader.send(new ExecuteStatementCommand({ Sql: 'SELECT 42 AS answer', Database: DATABASE, ...WORKGROUP }));
    await harness.standIn.idle();
    const description = await loader.send(new DescribeStatementCommand({ Id }));
    expect(description).toMatchObject({ Status: 'FINISHED', QueryString: 'SELECT 42 AS answer', ResultRows: 1, HasResultSet: true });
    expect(description.SubStatements).toBeUndefined();
    expect((await loader.send(new GetStatementResultCommand({ Id }))).Records).toEqual([[{ longValue: 42 }]]);
  });

  it('rolls back the whole batch when a statement fails: the failing one FAILED with the error, the rest ABORTED', async () => {
    const sqls = ['CREATE TABLE before_failure (n INTEGER)', 'INSERT INTO before_failure VALUES (1)', 'INSERT INTO no_such_table VALUES (1)', 'CREATE TABLE after_failure (n INTEGER)'];
    const description = await harness.run(sqls);
    const error = 'ERROR: relation "no_such_table" does not exist';
    expect(description).toMatchObject({ Status: 'FAILED', Error: error });
    expect(description.SubStatements?.map((sub) => [sub.Status, sub.Error])).toEqual([
      ['FINISHED', undefined],
      ['FINISHED', undefined],
      ['FAILED', error],
      ['ABORTED', undefined],
    ]);
    expect(description.SubStatements?.[3].Duration).toBe(-1);
    expect(await harness.standIn.query("SELECT to_regclass('before_failure') IS NULL AS gone")).toEqual([{ gone: true }]);
    const seen = await new DataApi(harness.client()).describe(description.Id!);
    expect(seen.subStatements.map((sub) => sub.state)).toEqual(['FINISHED', 'FINISHED', 'FAILED', 'ABORTED']);
  });

  it("loads the deploy's SQL and then a scheduled run's, COPYing from folder buckets by prefix, JSONPaths and MANIFEST", async () => {
    const source = path.join(buckets, 'source');
    const day1 = [play({ ts: 1_541_030_400_000, itemInSession: 0 }), play({ ts: 1_541_030_401_000, itemInSession: 1, page: 'Home', userId: '' })];
    writeTree(source, { 'log_data/2018/11/2018-11-01-events.json': day1, 'song_data/A/B/TRA.json': [song()] });
    copyFileSync(path.join(SQL_DIR, 'log_json_path.json'), path.join(source, 'log_json_path.json'));
    const copySource: CopySource = {
      bucket: 'sparkify-source',
      region: 'us-west-2',
      songPrefix: 'song_data',
      logPrefix: 'log_data',
      jsonPathsKey: 'log_json_path.json',
      copyRoleArn: 'arn:aws:iam::123456789012:role/sparkify-copy',
      maxErrors: 0,
    };
    const admin = new DataApi(harness.client());
    const target: WarehouseAddress = { database: DATABASE, clusterIdentifier: 'sparkify-cluster', secretArn: SECRET_ARN };
    const runBatch = async (sqls: readonly string[], name: string) => {
      const id = await admin.submitBatch(target, sqls, name);
      await harness.standIn.idle();
      return admin.describe(id);
    };

    const deploy = splitIntoBatches(toRedshiftSql(buildLoadPlan(readSqlFiles(), copySource)));
    let last = await runBatch(deploy[0], 'deploy-1');
    for (const [index, batch] of deploy.slice(1).entries()) last = await runBatch(batch, `deploy-${index + 2}`);
    expect([last.state, last.error]).toEqual(['FINISHED', undefined]);
    const [deployed] = await admin.resultRows(last.subStatements.at(-1)!.id);
    expect(deployed).toMatchObject({ staging_events: 2, staging_songs: 1, songplays: 1, users: 1, songs: 1 });
    // The search path the deploy's batches set ended with their sessions.
    expect((await runBatch(['SELECT COUNT(*) FROM songs;'], 'own-session')).error).toBe('ERROR: relation "songs" does not exist');

    const day2 = path.join(source, 'log_data/2018/11/2018-11-02-events.json');
    writeTree(source, { 'log_data/2018/11/2018-11-02-events.json': [play({ ts: 1_541_116_800_000, sessionId: 2 })] });
    const fileLine = { file_key: 'log_data/2018/11/2018-11-02-events.json', size_bytes: statSync(day2).size, modified_at: '2018-11-02 10:00:00', content_hash: 'ab'.repeat(32), rows_loaded: 1 };
    // A scheduled run COPYs its new files compacted into gzip'd parts in its runs folder.
    const part = 'runs/r1/events/part-00000-of-00001.json.gz';
    mkdirSync(path.dirname(path.join(buckets, 'runs', part)), { recursive: true });
    writeFileSync(path.join(buckets, 'runs', part), gzipSync(readFileSync(day2)));
    writeTree(path.join(buckets, 'runs'), {
      'runs/r1/files.json': [fileLine],
      'runs/r1/log_data.manifest': JSON.stringify({ entries: [{ url: `s3://sparkify-runs/${part}`, mandatory: true }] }),
      'runs/r2/log_data.manifest': JSON.stringify({ entries: [{ url: 's3://sparkify-source/log_data/missing.json', mandatory: true }] }),
    });
    const scheduledSql = readScheduledSql();
    const run = { fileListUri: 's3://sparkify-runs/runs/r1/files.json', logManifestUri: 's3://sparkify-runs/runs/r1/log_data.manifest' };
    const scheduled = await runBatch(toRedshiftSql(buildScheduledPlan(scheduledSql, copySource, run)), 'scheduled-r1');
    expect([scheduled.state, scheduled.error]).toEqual(['FINISHED', undefined]);
    expect(await admin.resultRows(scheduled.subStatements.at(-1)!.id)).toEqual([expect.objectContaining({ staging_events: 1, songplays: 2 })]);

    const manifest = await runBatch([scheduledSql.loadedFilesQuery], 'manifest-read');
    expect(await admin.resultRows(manifest.subStatements[0].id)).toEqual([
      { file_key: fileLine.file_key, size_bytes: fileLine.size_bytes, modified_ms: Date.UTC(2018, 10, 2, 10), content_hash: fileLine.content_hash },
    ]);

    // Each batch is a session of its own: one that names the tables bare enters the schema first.
    const copyEvents = (from: string) => `COPY staging_events FROM '${from}' IAM_ROLE '${copySource.copyRoleArn}' FORMAT AS JSON 's3://sparkify-source/log_json_path.json' MANIFEST REGION 'us-west-2' MAXERROR 0;`;
    expect((await runBatch([enterSchemaStatement(), copyEvents('s3://sparkify-runs/runs/r2/log_data.manifest')], 'missing-file')).error).toMatch(
      /^ERROR: Manifest file s3:\/\/sparkify-runs\/runs\/r2\/log_data.manifest lists mandatory file s3:\/\/sparkify-source\/log_data\/missing.json/,
    );
    expect((await runBatch([enterSchemaStatement(), copyEvents('s3://no-such-bucket/m')], 'missing-bucket')).error).toMatch(/NoSuchBucket: no-such-bucket$/);
    expect((await runBatch([enterSchemaStatement(), "COPY staging_songs FROM 's3://sparkify-source/song_dat_' IAM_ROLE 'r' FORMAT AS JSON 'auto';"], 'missing-prefix')).error).toBe(
      "ERROR: The specified S3 prefix 'song_dat_' does not exist",
    );
    writeTree(source, { 'song_data/Z/TRBAD.json': [song({ song_id: null })] });
    const copySongs = "COPY staging_songs FROM 's3://sparkify-source/song_data/Z' IAM_ROLE 'r' FORMAT AS JSON 'auto' MAXERROR 0;";
    expect((await runBatch([enterSchemaStatement(), copySongs], 'too-many-rejects')).error).toBe(
      "ERROR: Load into table 'staging_songs' failed. Check 'sys_load_error_detail' for details. " +
        'Rejected: s3://sparkify-source/song_data/Z/TRBAD.json, line 1: song_id is required but missing',
    );
    // COPY runs as the batch's user, who must be allowed to write the table: the admin owns it (the reader may use the schema).
    // Its database user exists once it has signed in (Redshift makes an IAM identity's user at its first sign-in).
    await harness.run(['SELECT 1;'], WORKGROUP, 'reader');
    const granted = await runBatch([`GRANT USAGE ON SCHEMA sparkify TO "${iamRoleDatabaseUser(harness.users.reader)}";`], 'reader-may-use-schema');
    expect([granted.state, granted.error]).toEqual(['FINISHED', undefined]);
    expect((await harness.run([enterSchemaStatement(), copySongs], WORKGROUP, 'reader')).Error).toBe('ERROR: permission denied for table staging_songs');
    // The run's temporary table lived as long as its batch's session.
    expect((await runBatch(['SELECT COUNT(*) FROM staging_files'], 'temp-gone')).error).toBe('ERROR: relation "staging_files" does not exist');
  });
});

// Faults count statements and batches from the stand-in's start: these tests run in order,
// on one stand-in (batches 1 and 2 fail and abort, 3 hangs, 4 is cancelled waiting, 6 hangs at close).
describe('faults and CancelStatement', () => {
  let harness: Harness;
  let closed = false;
  const pgliteDir = path.join(tempDir('sparkify-stand-in-db-'), 'pglite');
  beforeAll(async () => {
    harness = await startHarness({ pgliteDir }, '', {
      faults: [
        { kind: 'fail-statement', statement: 2, error: 'ERROR: injected: disk full' },
        { kind: 'abort-batch', batch: 2 },
        { kind: 'hang-batch', batch: 3 },
        { kind: 'hang-batch', batch: 6 },
        { kind: 'throttle', operation: 'DescribeStatement', calls: 2 },
        { kind: 'throttle', operation: 'ListStatements', calls: 1 },
      ],
      activeStatementsLimit: 2,
    });
  });
  afterAll(async () => {
    if (!closed) await harness?.standIn.close();
  });

  it('fail-statement fails the statement after the ones before it ran, and the batch rolls back; throttled calls are retried by the SDK', async () => {
    const { client, standIn } = harness;
    const { Id } = await client().send(
      new BatchExecuteStatementCommand({ Sqls: ['CREATE TABLE injected (n INTEGER)', 'INSERT INTO injected VALUES (1)', 'SELECT 1'], Database: DATABASE, ...WORKGROUP }),
    );
    await standIn.idle();
    const description = await client('loader', 3).send(new DescribeStatementCommand({ Id }));
    expect(description.SubStatements?.map((sub) => [sub.Status, sub.Error])).toEqual([
      ['FINISHED', undefined],
      ['FAILED', 'ERROR: injected: disk full'],
      ['ABORTED', undefined],
    ]);
    expect(await standIn.query("SELECT to_regclass('injected') IS NULL AS gone")).toEqual([{ gone: true }]);
    expect(standIn.calls.filter((call) => call.operation === 'DescribeStatement').map((call) => call.error)).toEqual([
      'ThrottlingException: Rate exceeded',
      'ThrottlingException: Rate exceeded',
      undefined,
    ]);
    const throttled = await errorOf(client().send(new ListStatementsCommand({})));
    expect([throttled.name, isThrottling(throttled)]).toEqual(['ThrottlingException', true]);
  });

  it('abort-batch ends the batch ABORTED, nothing of it committed', async () => {
    const description = await harness.run(['CREATE TABLE aborted_work (n INTEGER)']);
    expect(description.Status).toBe('ABORTED');
    expect(await harness.standIn.query("SELECT to_regclass('aborted_work') IS NULL AS gone")).toEqual([{ gone: true }]);
    expect((await new DataApi(harness.client()).describe(description.Id!)).state).toBe('ABORTED');
  });

  it('keeps a hanging batch STARTED and the next SUBMITTED; a cancel aborts it, rolled back, and the queue goes on', async () => {
    const { client, standIn } = harness;
    const loader = client();
    const submit = (sqls: string[]) => loader.send(new BatchExecuteStatementCommand({ Sqls: sqls, Database: DATABASE, ...WORKGROUP }));
    const hanging = await submit(['CREATE TABLE hung (n INTEGER)', 'INSERT INTO hung VALUES (1)', 'SELECT COUNT(*) FROM hung']);
    const started = await waitFor(loader, hanging.Id!, (description) => description.SubStatements?.[2].Status === 'STARTED');
    expect(started.Status).toBe('STARTED');
    expect(started.SubStatements?.map((sub) => sub.Status)).toEqual(['FINISHED', 'FINISHED', 'STARTED']);

    const waiting = await submit(['CREATE TABLE never_ran (n INTEGER)']);
    expect((await loader.send(new DescribeStatementCommand({ Id: waiting.Id }))).Status).toBe('SUBMITTED');
    expect((await errorOf(submit(['SELECT 1']))).name).toBe('ActiveStatementsExceededException');

    expect((await loader.send(new CancelStatementCommand({ Id: waiting.Id }))).Status).toBe(true);
    const cancelledWaiting = await loader.send(new DescribeStatementCommand({ Id: waiting.Id }));
    expect([cancelledWaiting.Status, cancelledWaiting.SubStatements?.[0].Status, cancelledWaiting.Duration]).toEqual(['ABORTED', 'ABORTED', -1]);

    const next = await submit(['CREATE TABLE after_cancel (n INTEGER)']);
    expect(await new DataApi(loader).cancel(hanging.Id!)).toBe(true);
    expect(standIn.cancelled).toEqual([waiting.Id, hanging.Id]);
    await standIn.idle();
    const aborted = await loader.send(new DescribeStatementCommand({ Id: hanging.Id }));
    expect([aborted.Status, aborted.SubStatements?.map((sub) => sub.Status)]).toEqual(['ABORTED', ['FINISHED', 'FINISHED', 'ABORTED']]);
    expect((await loader.send(new DescribeStatementCommand({ Id: next.Id }))).Status).toBe('FINISHED');
    expect(await standIn.query("SELECT to_regclass('hung') IS NULL AS hung_gone, to_regclass('after_cancel') IS NOT NULL AS next_ran")).toEqual([
      { hung_gone: true, next_ran: true },
    ]);

    const refused = await errorOf(loader.send(new CancelStatementCommand({ Id: hanging.Id })));
    expect([refused.name, refused.message]).toEqual(['ValidationException', 'Could not cancel a query that is already in ABORTED status']);
    expect(await new DataApi(loader).cancel(next.Id!)).toBe(false);
  });

  it('close() ends a batch that still hangs, rolled back; what was committed stays in the PGlite folder', async () => {
    const { Id } = await harness.client().send(
      new BatchExecuteStatementCommand({ Sqls: ['CREATE TABLE hung_at_close (n INTEGER)', 'SELECT 1'], Database: DATABASE, ...WORKGROUP }),
    );
    await waitFor(harness.client(), Id!, (description) => description.SubStatements?.[1].Status === 'STARTED');
    closed = true;
    await harness.standIn.close();
    const reopened = await startHarness({ pgliteDir }, '');
    try {
      expect(await reopened.standIn.query("SELECT to_regclass('hung_at_close') IS NULL AS hung_gone, to_regclass('after_cancel') IS NOT NULL AS kept")).toEqual([
        { hung_gone: true, kept: true },
      ]);
    } finally {
      await reopened.standIn.close();
    }
  });
});
