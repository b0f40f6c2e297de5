import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchName } from '../../src/data-api/deploy-load';
import { isComplete, onEvent } from '../../lambda/etl-handler';
import type { LoadProperties } from '../../src/data-api/load-properties';
import type { WarehouseTarget } from '../../src/data-api/target';
import { SUMMARY_COLUMNS } from '../../src/sql/summary';
import { buildLoadPlan, toRedshiftSql } from '../../src/sql/plan';
import { readSqlFiles } from '../../src/sql/sql-files';
import { PUBLIC_DATASET_SOURCE } from '../helpers/fixtures';

const redshift = mockClient(RedshiftDataClient);
const s3 = mockClient(S3Client);

/** The song files the mocked source bucket holds. */
const SONG_FILES = [
  { key: 'songs/A/TRA.json', body: '{"song_id":"SO1","title":"One"}\n' },
  { key: 'songs/B/TRB.json', body: '{"song_id":"SO2","title":"Two"}\n' },
  { key: 'songs/README.txt', body: 'not a song' },
];
/** The event files it holds: one plain, one gzip'd (what COPY without GZIP cannot read). */
const EVENT_FILES = [
  { key: 'logs/2018-11-01-events.json', body: Buffer.from('{"userId":"1","ts":1}\n') },
  { key: 'logs/2018-11-02-events.json.gz', body: gzipSync('{"userId":"2","ts":2}\n') },
];
const JSONPATHS = '{"jsonpaths":["$.userId","$.ts"]}';
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:redshift!cluster-admin-AbCdEf';
const plan = buildLoadPlan(readSqlFiles(), { ...PUBLIC_DATASET_SOURCE, bucket: "odd'bucket", logPrefix: 'logs;\\x' });

const CLUSTER: WarehouseTarget = {
  database: 'sparkify',
  clusterIdentifier: 'sparkify-cluster',
  secretArn: SECRET_ARN,
  resourceArn: 'arn:aws:redshift:us-west-2:123456789012:cluster:sparkify-cluster',
};

function properties(overrides: Partial<LoadProperties> = {}): LoadProperties {
  return {
    Statements: toRedshiftSql(plan),
    StatementInfo: plan.map(({ kind, file, checkName }) => ({ kind, file, ...(checkName ? { checkName } : {}) })),
    SqlHash: 'abc123',
    CancelAfterSeconds: '3580',
    Target: CLUSTER,
    Compaction: {
      SourceBucket: 'source-bucket',
      SourceRegion: 'us-west-2',
      SongPrefix: 'songs/',
      LogPrefix: 'logs/',
      JsonPathsKey: 'paths/log_json_path.json',
      StagingBucket: 'staging-bucket',
      Slices: '2',
      MaxErrors: '0',
    },
    ...overrides,
  };
}

/** When the loads of these tests started, as onEvent's Data hands it to isComplete: a minute ago. */
const startedAtMs = () => String(Date.now() - 60_000);

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  props: LoadProperties = properties(),
  data: Record<string, string> = { StartedAtMs: startedAtMs() },
): CloudFormationCustomResourceEvent {
  return {
    Data: data,
    RequestType: requestType,
    RequestId: 'req-1',
    ResponseURL: 'https://example.invalid',
    ServiceToken: 'arn:aws:lambda:us-west-2:123456789012:function:provider',
    StackId: 'arn:aws:cloudformation:us-west-2:123456789012:stack/Test/1',
    LogicalResourceId: 'Load',
    ResourceType: 'Custom::SparkifyLoad',
    PhysicalResourceId: 'sparkify-warehouse-load',
    ResourceProperties: { ServiceToken: 'x', ...props } as never,
    OldResourceProperties: {},
  } as CloudFormationCustomResourceEvent;
}

let logged: string[];
beforeEach(() => {
  redshift.reset();
  s3.reset();
  s3.on(ListObjectsV2Command, { Bucket: 'source-bucket', Prefix: 'songs/' }).resolves({
    Contents: SONG_FILES.map((file) => ({ Key: file.key, Size: file.body.length, LastModified: new Date(0) })),
  });
  s3.on(ListObjectsV2Command, { Bucket: 'source-bucket', Prefix: 'logs/' }).resolves({
    Contents: EVENT_FILES.map((file) => ({ Key: file.key, Size: file.body.length, LastModified: new Date(0) })),
  });
  for (const file of [...SONG_FILES, ...EVENT_FILES, { key: 'paths/log_json_path.json', body: JSONPATHS }]) {
    s3.on(GetObjectCommand, { Bucket: 'source-bucket', Key: file.key }).callsFake(() => ({ Body: Readable.from([Buffer.from(file.body)]) }));
  }
  s3.on(PutObjectCommand).resolves({});
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));
});
afterEach(() => vi.restoreAllMocks());

const listed = (...batches: number[]) =>
  redshift.on(ListStatementsCommand).resolves({
    Statements: batches.map((batch) => ({ StatementName: batchName('req-1', batch), Id: `id-${batch}`, Status: 'STARTED' as const })),
  });

describe('onEvent', () => {
  it('Create submits the whole load as one batch (one transaction) with the escaped SQL, the database and the secret', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-1' });
    const before = Date.now();
    const response = await onEvent(event('Create'));
    expect(response).toEqual({ PhysicalResourceId: 'sparkify-warehouse-load', Data: { FirstStatementId: 'id-1', StartedAtMs: expect.any(String) } });
    expect(Number(response.Data?.StartedAtMs)).toBeGreaterThanOrEqual(before);
    const [call] = redshift.commandCalls(BatchExecuteStatementCommand);
    const input = call.args[0].input;
    expect(input).toMatchObject({
      Database: 'sparkify',
      ClusterIdentifier: 'sparkify-cluster',
      SecretArn: SECRET_ARN,
      StatementName: batchName('req-1', 1),
      WorkgroupName: undefined,
    });
    expect(input.Sqls).toEqual(toRedshiftSql(plan));
    const copy = input.Sqls?.find((sql) => sql.startsWith('COPY staging_events')) ?? '';
    expect(copy).toContain("FROM 's3://odd''bucket/logs;\\\\x'");
    expect(copy).toContain("IAM_ROLE 'arn:aws:iam::123456789012:role/copy'");
    expect(copy).toContain("FORMAT AS JSON 's3://odd''bucket/log_json_path.json'");
    expect(copy).toContain("REGION 'us-west-2'");
  });

  it('compacts the song and event files (.json.gz too) into gzip’d JSON lines in the staging bucket, with their manifests and the JSONPaths file, before it submits the load', async () => {
    redshift.on(BatchExecuteStatementCommand).callsFake(() => {
      expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual(
        expect.arrayContaining(['songs/song_data.manifest', 'events/log_data.manifest', 'events/log_json_path.json']),
      );
      return { Id: 'id-1' };
    });
    await onEvent(event('Create'));
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => [put.Bucket, put.Key])).toEqual([
      ['staging-bucket', 'songs/req-1/part-00001-of-00002.json.gz'],
      ['staging-bucket', 'songs/req-1/part-00002-of-00002.json.gz'],
      ['staging-bucket', 'songs/song_data.manifest'],
      // The gzip'd file starts past half the events' bytes: both go to the first part, the second part is empty and dropped.
      ['staging-bucket', 'events/req-1/part-00001-of-00001.json.gz'],
      ['staging-bucket', 'events/log_data.manifest'],
      ['staging-bucket', 'events/log_json_path.json'],
    ]);
    expect(gunzipSync(puts[3].Body as Buffer).toString('utf8')).toBe('{"userId":"1","ts":1}\n{"userId":"2","ts":2}\n');
    expect(JSON.parse(String(puts[4].Body))).toEqual({ entries: [{ url: 's3://staging-bucket/events/req-1/part-00001-of-00001.json.gz', mandatory: true }] });
    expect(String(puts[5].Body)).toBe(JSONPATHS);
    expect(puts.slice(0, 2).map((put) => gunzipSync(put.Body as Buffer).toString('utf8'))).toEqual(['{"song_id":"SO1","title":"One"}\n', '{"song_id":"SO2","title":"Two"}\n']);
    expect(JSON.parse(String(puts[2].Body))).toEqual({
      entries: [1, 2].map((part) => ({ url: `s3://staging-bucket/songs/req-1/part-0000${part}-of-00002.json.gz`, mandatory: true })),
    });
    expect(puts.every((put) => put.ServerSideEncryption === 'AES256')).toBe(true);
    const compacted = logged.map((line) => JSON.parse(line)).find((entry) => entry.event === 'songs-compacted');
    expect(compacted).toMatchObject({ notRead: ['songs/README.txt'], notReadCount: 1 });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(1);
  });

  it('fails, submitting nothing, when the song prefix holds no song file', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'source-bucket', Prefix: 'songs/' }).resolves({ Contents: [] });
    await expect(onEvent(event('Create'))).rejects.toThrow(/Nothing to compact/);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  it('Update starts the load again; Delete leaves the data and submits nothing', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-1' });
    await onEvent(event('Update'));
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(1);
    redshift.reset();
    redshift.on(ListStatementsCommand).resolves({ Statements: [] });
    expect(await onEvent(event('Delete'))).toEqual({ PhysicalResourceId: 'sparkify-warehouse-load' });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(redshift.commandCalls(CancelStatementCommand)).toHaveLength(0);
  });

  it('Delete cancels this identity’s loads that still run (a rollback must not leave one to commit later), not finished ones', async () => {
    redshift.on(ListStatementsCommand).resolves({
      Statements: [
        { StatementName: batchName('req-0', 1), Id: 'old', Status: 'FINISHED' },
        { StatementName: batchName('req-1', 1), Id: 'running', Status: 'STARTED' },
        { StatementName: batchName('req-1', 2), Id: 'queued', Status: 'SUBMITTED' },
      ],
    });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    await onEvent(event('Delete'));
    expect(redshift.commandCalls(ListStatementsCommand)[0].args[0].input).toMatchObject({ StatementName: 'sparkify-load-', Status: 'ALL' });
    expect(redshift.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual(['running', 'queued']);
  });

  it('Serverless: names the workgroup and authenticates with the admin secret, as on a cluster', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-1' });
    const workgroup = { database: 'sparkify', workgroupName: 'sparkify-wg', secretArn: SECRET_ARN, resourceArn: 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/w-1' };
    await onEvent(event('Create', properties({ Target: workgroup })));
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input).toMatchObject({
      WorkgroupName: 'sparkify-wg',
      SecretArn: SECRET_ARN,
      ClusterIdentifier: undefined,
    });
  });

  it('refuses properties without the admin secret, or with both a cluster and a workgroup', async () => {
    await expect(onEvent(event('Create', properties({ Target: { ...CLUSTER, secretArn: '' } })))).rejects.toThrow(/Target property names no admin secret/);
    await expect(onEvent(event('Create', properties({ Target: { ...CLUSTER, workgroupName: 'wg' } })))).rejects.toThrow(
      /Target property must name either a cluster identifier or a workgroup name, not both/,
    );
    expect(redshift.calls()).toHaveLength(0);
  });

  it('splits a load of more than 40 statements into ordered batches, submitting the first', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-1' });
    const many = Array.from({ length: 45 }, (_, index) => `SELECT ${index};`);
    const info = many.map((_, index) => ({ kind: index === 44 ? ('summary' as const) : ('transform' as const), file: 'x.sql' }));
    await onEvent(event('Create', properties({ Statements: many, StatementInfo: info })));
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input.Sqls).toEqual(many.slice(0, 40));
  });

  it('refuses a statement over 100 KB before calling the Data API', async () => {
    const huge = ['x'.repeat(100 * 1024 + 1)];
    await expect(onEvent(event('Create', properties({ Statements: huge, StatementInfo: [{ kind: 'summary', file: 'x.sql' }] })))).rejects.toThrow(
      /Statement 1 is 102401 bytes/,
    );
    expect(redshift.calls()).toHaveLength(0);
  });

  it('fails readably when the Data API refuses the call (throttled after the SDK retries)', async () => {
    redshift.on(BatchExecuteStatementCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(onEvent(event('Create'))).rejects.toThrow(/Rate exceeded/);
  });
});

describe('isComplete', () => {
  it.each(['SUBMITTED', 'PICKED', 'STARTED'] as const)('%s: not complete yet', async (status) => {
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: status, SubStatements: [] });
    expect(await isComplete(event('Create'))).toEqual({ IsComplete: false });
  });

  it('still running past CancelAfterSeconds: cancels the batch, then fails saying so', async () => {
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: 'STARTED', SubStatements: [] });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    const late = event('Create', properties({ CancelAfterSeconds: '600' }), { StartedAtMs: String(Date.now() - 601_000) });
    await expect(isComplete(late)).rejects.toThrow(/ran past 600 s .*so it was cancelled: batch 1 is rolled back/);
    expect(redshift.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual(['id-1']);
  });

  it('still running before CancelAfterSeconds: cancels nothing', async () => {
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: 'STARTED', SubStatements: [] });
    const early = event('Create', properties({ CancelAfterSeconds: '600' }), { StartedAtMs: String(Date.now() - 599_000) });
    expect(await isComplete(early)).toEqual({ IsComplete: false });
    expect(redshift.commandCalls(CancelStatementCommand)).toHaveLength(0);
  });

  it('a throttled look is not a failure: not complete, the next look tries again', async () => {
    listed(1);
    redshift.on(DescribeStatementCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expect(await isComplete(event('Create'))).toEqual({ IsComplete: false });
    expect(logged.map((line) => JSON.parse(line).event)).toContain('throttled');
  });

  it('any other error of a look fails the load', async () => {
    listed(1);
    redshift.on(DescribeStatementCommand).rejects(Object.assign(new Error('no such statement'), { name: 'ResourceNotFoundException' }));
    await expect(isComplete(event('Create'))).rejects.toThrow(/no such statement/);
  });

  it('refuses an event without the StartedAtMs onEvent returns', async () => {
    await expect(isComplete(event('Create', properties(), {}))).rejects.toThrow(/StartedAtMs/);
  });

  it('not listed yet (the Data API lists with a delay): not complete, nothing submitted again', async () => {
    listed();
    expect(await isComplete(event('Create'))).toEqual({ IsComplete: false });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  it('FINISHED: complete, with the summary row counts and the seconds per kind of statement', async () => {
    listed(1);
    const subStatements = plan.map((_, index) => ({ Id: `id-1:${index + 1}`, Status: 'FINISHED' as const, Duration: 2e9 }));
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', SubStatements: subStatements });
    redshift.on(GetStatementResultCommand, { Id: `id-1:${plan.length}` }).resolves({
      ColumnMetadata: SUMMARY_COLUMNS.map((name) => ({ name })),
      Records: [[8056, 71, 6820, 97, 71, 69, 6813, 1].map((longValue) => ({ longValue }))],
    });
    const result = await isComplete(event('Create'));
    const copies = plan.filter((statement) => statement.kind === 'copy').length;
    expect(result).toEqual({
      IsComplete: true,
      Data: expect.objectContaining({
        StagingEvents: '8056',
        Songplays: '6820',
        Users: '97',
        Time: '6813',
        MatchedSongplays: '1',
        CopySeconds: (2 * copies).toFixed(3),
        TotalSeconds: (2 * plan.length).toFixed(3),
      }),
    });
    const finished = logged.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'statement-finished');
    expect(finished).toHaveLength(plan.length);
  });

  it('FINISHED batch 1 of 2: submits batch 2 (the remaining statements) and is not complete', async () => {
    const many = Array.from({ length: 45 }, (_, index) => `SELECT ${index};`);
    const info = many.map((_, index) => ({ kind: index === 44 ? ('summary' as const) : ('transform' as const), file: 'x.sql' }));
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', SubStatements: [] });
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-2' });
    const result = await isComplete(event('Create', properties({ Statements: many, StatementInfo: info })));
    expect(result).toEqual({ IsComplete: false });
    const input = redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input;
    expect(input.Sqls).toEqual(many.slice(40));
    expect(input.StatementName).toBe(batchName('req-1', 2));
    expect(input.ClientToken).toBeDefined();
  });

  it('FAILED in a COPY: throws its number, file, SQL summary, Redshift error and where to find the rejects', async () => {
    listed(1);
    const copyIndex = plan.findIndex((statement) => statement.kind === 'copy');
    redshift.on(DescribeStatementCommand).resolves({
      Status: 'FAILED',
      Error: 'batch failed',
      SubStatements: plan.map((_, index) => ({
        Id: `id-1:${index + 1}`,
        Status: index < copyIndex ? ('FINISHED' as const) : index === copyIndex ? ('FAILED' as const) : ('ABORTED' as const),
        Error: index === copyIndex ? "Load into table 'staging_events' failed. Check 'sys_load_error_detail' for details." : undefined,
      })),
    });
    const error = await isComplete(event('Create')).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Statement ${copyIndex + 1} of ${plan.length} (04_copy_events.sql: COPY staging_events FROM`);
    expect(message).toContain("failed: Load into table 'staging_events' failed.");
    expect(message).toContain('SYS_LOAD_ERROR_DETAIL');
    expect(message).toContain('STL_LOAD_ERRORS');
    expect(message).toContain('nothing of it was committed');
  });

  it('FAILED in a check: names the data-quality check', async () => {
    listed(1);
    const checkIndex = plan.findIndex((statement) => statement.checkName === 'songplays_user_in_users');
    redshift.on(DescribeStatementCommand).resolves({
      Status: 'FAILED',
      SubStatements: plan.map((_, index) => ({
        Id: `id-1:${index + 1}`,
        Status: index === checkIndex ? ('FAILED' as const) : ('FINISHED' as const),
        Error: index === checkIndex ? 'ERROR: division by zero' : undefined,
      })),
    });
    await expect(isComplete(event('Create'))).rejects.toThrow(/Data-quality check songplays_user_in_users found rows breaking its rule/);
  });

  it('ABORTED: says the load was aborted', async () => {
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: 'ABORTED', SubStatements: [{ Id: 'id-1:1', Status: 'ABORTED' }] });
    await expect(isComplete(event('Create'))).rejects.toThrow(/Statement 1 of \d+ \(00_activate_schema.sql: CREATE SCHEMA IF NOT EXISTS "sparkify";\) was aborted/);
  });

  it('Delete: complete at once, no call', async () => {
    expect(await isComplete(event('Delete'))).toEqual({ IsComplete: true });
    expect(redshift.calls()).toHaveLength(0);
  });

  it('never writes the secret ARN or a password to a log line or an error', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'id-1' });
    await onEvent(event('Create'));
    listed(1);
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FAILED', SubStatements: [{ Id: 'id-1:1', Status: 'FAILED', Error: 'boom' }] });
    const error = await isComplete(event('Create')).catch((caught: unknown) => caught as Error);
    for (const text of [...logged, (error as Error).message]) {
      expect(text).not.toContain(SECRET_ARN);
      expect(text).not.toMatch(/password/i);
    }
    expect(logged.length).toBeGreaterThan(0);
  });
});
