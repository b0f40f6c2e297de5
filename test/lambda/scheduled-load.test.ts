import { gunzipSync } from 'node:zlib';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  type DescribeStatementCommandOutput,
} from '@aws-sdk/client-redshift-data';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../src/data-api/client';
import { clusterStatusReader } from '../../src/data-api/cluster-status';
import { S3Files } from '../../src/data-api/s3-files';
import { checkSourceRegion, parseScheduledLoadConfig, type ScheduledLoadConfig } from '../../src/data-api/scheduled-config';
import { runScheduledLoad, type ScheduledLoadContext } from '../../src/data-api/scheduled-load';
import { readScheduledSql } from '../../src/sql/scheduled-plan';
import { PUBLIC_DATASET_SOURCE } from '../helpers/fixtures';

const redshift = mockClient(RedshiftDataClient);
const s3 = mockClient(S3Client);
const controlPlane = mockClient(RedshiftClient);

const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:redshift!cluster-admin-AbCdEf';
const CONFIG: ScheduledLoadConfig = {
  target: {
    database: 'sparkify',
    clusterIdentifier: 'sparkify-cluster',
    secretArn: SECRET_ARN,
    resourceArn: 'arn:aws:redshift:us-west-2:123456789012:cluster:sparkify-cluster',
  },
  source: PUBLIC_DATASET_SOURCE,
  runsBucket: 'runs-bucket',
  slices: 2,
};
const RUN_ID = 'run-1';
const MANIFEST_READ = 'manifest-read';
const LOAD = 'load';
const SQL = readScheduledSql();

/** A source file in the mocked bucket. */
interface SourceObject {
  readonly key: string;
  readonly body: string;
  readonly modifiedAt: Date;
}

const DAY_1: SourceObject = {
  key: 'log_data/2018/11/2018-11-01-events.json',
  body: '{"ts":1,"page":"NextSong"}\n{"ts":2,"page":"Home"}\n',
  modifiedAt: new Date('2018-11-02T00:00:00Z'),
};
const DAY_2: SourceObject = {
  key: 'log_data/2018/11/2018-11-02-events.json',
  body: '{"ts":3,"page":"NextSong"}\n{"ts":4,"page":"NextSong"}\n{"ts":5,"page":"Home"}\n',
  modifiedAt: new Date('2018-11-03T00:00:00Z'),
};
const SONG: SourceObject = { key: 'song_data/A/A/A/TRAAA.json', body: '{"song_id":"SO1","artist_id":"AR1"}', modifiedAt: new Date('2018-11-01T00:00:00Z') };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A manifest row saying this object was loaded as it is. */
function loaded(object: SourceObject, overrides: Partial<{ hash: string; size: number }> = {}) {
  return [
    { stringValue: object.key },
    { longValue: overrides.size ?? Buffer.byteLength(object.body) },
    { longValue: object.modifiedAt.getTime() },
    { stringValue: overrides.hash ?? sha256(object.body) },
  ];
}

let logged: Record<string, unknown>[];
let remainingMs: number;

function context(): ScheduledLoadContext {
  return {
    dataApi: new DataApi(),
    s3: new S3Files(),
    sql: SQL,
    log: (entry) => void logged.push(entry),
    runId: RUN_ID,
    remainingMs: () => remainingMs,
    sleep: async () => undefined,
    clusterStatus: clusterStatusReader(),
  };
}

/** The bucket holds these objects; the manifest these rows; the load ends as `loadStatus`. */
function given(objects: readonly SourceObject[], manifestRows: ReturnType<typeof loaded>[], loadStatus: Partial<DescribeStatementCommandOutput> = {}) {
  for (const prefix of ['log_data', 'song_data']) {
    s3.on(ListObjectsV2Command, { Bucket: 'udacity-dend', Prefix: prefix }).resolves({
      Contents: objects
        .filter((object) => object.key.startsWith(prefix))
        .map((object) => ({ Key: object.key, Size: Buffer.byteLength(object.body), LastModified: object.modifiedAt })),
      IsTruncated: false,
    });
  }
  for (const object of objects) {
    s3.on(GetObjectCommand, { Bucket: 'udacity-dend', Key: object.key }).callsFake(() => ({ Body: Readable.from([Buffer.from(object.body)]) }));
  }
  s3.on(PutObjectCommand).resolves({});
  redshift.on(ListStatementsCommand).resolves({ Statements: [] });
  redshift.on(BatchExecuteStatementCommand, { StatementName: `sparkify-scheduled-${RUN_ID}-manifest` }).resolves({ Id: MANIFEST_READ });
  redshift.on(BatchExecuteStatementCommand, { StatementName: `sparkify-scheduled-${RUN_ID}-load` }).resolves({ Id: LOAD });
  redshift.on(DescribeStatementCommand, { Id: MANIFEST_READ }).resolves({ Status: 'FINISHED', SubStatements: [{ Id: `${MANIFEST_READ}:1`, Status: 'FINISHED' }] });
  redshift.on(DescribeStatementCommand, { Id: LOAD }).callsFake(() => {
    const statements = loadSqls();
    return {
      Status: 'FINISHED',
      SubStatements: statements.map((_, index) => ({ Id: `${LOAD}:${index + 1}`, Status: 'FINISHED' })),
      ...loadStatus,
    };
  });
  redshift.on(GetStatementResultCommand).callsFake((input: { Id: string }) => {
    if (input.Id === `${MANIFEST_READ}:1`) {
      return { ColumnMetadata: [{ name: 'file_key' }, { name: 'size_bytes' }, { name: 'modified_ms' }, { name: 'content_hash' }], Records: manifestRows };
    }
    if (input.Id === `${LOAD}:${loadSqls().length}`) {
      return { ColumnMetadata: [{ name: 'songplays' }, { name: 'users' }], Records: [[{ longValue: 42 }, { longValue: 7 }]] };
    }
    throw new Error(`unexpected GetStatementResult ${input.Id}`);
  });
}

/** The load batch fails at its first statement matching `failing`, with `error`; the ones after are aborted. */
function failLoadAt(failing: (sql: string) => boolean, error: string): void {
  redshift.on(DescribeStatementCommand, { Id: LOAD }).callsFake(() => {
    const failedAt = loadSqls().findIndex(failing);
    return {
      Status: 'FAILED',
      SubStatements: loadSqls().map((_, index) => ({
        Id: `${LOAD}:${index + 1}`,
        Status: index < failedAt ? 'FINISHED' : index === failedAt ? 'FAILED' : 'ABORTED',
        Error: index === failedAt ? error : undefined,
      })),
    };
  });
}

/** The SQL of the load batch the run submitted. */
function loadSqls(): string[] {
  const call = redshift.commandCalls(BatchExecuteStatementCommand).find((c) => c.args[0].input.StatementName?.endsWith('-load'));
  return [...(call?.args[0].input.Sqls ?? [])];
}

/** What the run wrote to the runs bucket, by file name. */
function written(): Record<string, string> {
  return Object.fromEntries(
    s3.commandCalls(PutObjectCommand).map((call) => [String(call.args[0].input.Key).replace(`runs/${RUN_ID}/`, ''), String(call.args[0].input.Body)]),
  );
}

beforeEach(() => {
  redshift.reset();
  s3.reset();
  controlPlane.reset();
  controlPlane.on(DescribeClustersCommand, { ClusterIdentifier: 'sparkify-cluster' }).resolves({ Clusters: [{ ClusterIdentifier: 'sparkify-cluster', ClusterStatus: 'available' }] });
  logged = [];
  remainingMs = 600_000;
});

describe('a scheduled load', () => {
  it('loads only the new day: compacted to gzip’d JSON lines, one COPY manifest naming them, its record line, one batch (one transaction)', async () => {
    given([DAY_1, DAY_2, SONG], [loaded(DAY_1), loaded(SONG)]);
    const outcome = await runScheduledLoad(context(), CONFIG);

    expect(outcome).toMatchObject({ status: 'loaded', loadedFiles: 1, redeliveredFiles: 0, unchangedFiles: 2, counts: { songplays: 42, users: 7 } });
    // Read twice: to hash and count it, then to compact it.
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([DAY_2.key, DAY_2.key]);
    const files = written();
    const part = 'log_data/part-00001-of-00001.json.gz';
    expect(Object.keys(files).sort()).toEqual(['files.json', 'log_data.manifest', part]);
    expect(JSON.parse(files['log_data.manifest'])).toEqual({ entries: [{ url: `s3://runs-bucket/runs/${RUN_ID}/${part}`, mandatory: true }] });
    const partBody = s3.commandCalls(PutObjectCommand).find((call) => String(call.args[0].input.Key).endsWith(part))?.args[0].input.Body as Buffer;
    expect(gunzipSync(partBody).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(
      DAY_2.body.trim().split('\n').map((line) => JSON.parse(line)),
    );
    expect(files['files.json'].trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { file_key: DAY_2.key, size_bytes: Buffer.byteLength(DAY_2.body), modified_at: '2018-11-03 00:00:00', content_hash: sha256(DAY_2.body), rows_loaded: 3 },
    ]);

    const batches = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input);
    expect(batches).toHaveLength(2);
    expect(batches[0]).toMatchObject({ Sqls: [SQL.loadedFilesQuery], Database: 'sparkify', ClusterIdentifier: 'sparkify-cluster', SecretArn: SECRET_ARN });
    const sqls = loadSqls();
    expect(sqls).toContainEqual(expect.stringMatching(/^COPY staging_events\nFROM 's3:\/\/runs-bucket\/runs\/run-1\/log_data.manifest'\n[\s\S]*\nMANIFEST\nGZIP\n/));
    expect(sqls.some((sql) => sql.startsWith('COPY staging_songs'))).toBe(false);
    expect(sqls).toContainEqual(expect.stringMatching(/^COPY staging_files\nFROM 's3:\/\/runs-bucket\/runs\/run-1\/files.json'/));
    expect(sqls.some((sql) => sql.startsWith('DROP TABLE'))).toBe(false);
    expect(sqls.at(-2)).toMatch(/^INSERT INTO load_manifest/);
    expect(batches[1]).toMatchObject({ StatementName: 'sparkify-scheduled-run-1-load', ClientToken: 'sparkify-scheduled-run-1-load', SecretArn: SECRET_ARN });
  });

  it('does nothing when every listed file is in the manifest as it was loaded', async () => {
    given([DAY_1, SONG], [loaded(DAY_1), loaded(SONG)]);
    expect(await runScheduledLoad(context(), CONFIG)).toEqual({ status: 'nothing-new', unchangedFiles: 2 });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(1); // the manifest read only
  });

  it('records a redelivered copy (a new key with loaded content) with 0 rows and COPYs nothing', async () => {
    const copy: SourceObject = { ...DAY_1, key: 'log_data/redelivered/copy-of-day-1.json', modifiedAt: new Date('2018-11-05T00:00:00Z') };
    given([DAY_1, copy], [loaded(DAY_1)]);
    const outcome = await runScheduledLoad(context(), CONFIG);
    expect(outcome).toMatchObject({ status: 'loaded', loadedFiles: 0, redeliveredFiles: 1 });
    expect(Object.keys(written())).toEqual(['files.json']);
    expect(JSON.parse(written()['files.json'])).toMatchObject({ file_key: copy.key, rows_loaded: 0 });
    expect(loadSqls().filter((sql) => sql.startsWith('COPY'))).toEqual([expect.stringMatching(/^COPY staging_files/)]);
  });

  it('refuses a loaded file whose content changed, naming it and saying how to reload it, and loads nothing', async () => {
    const changed: SourceObject = { ...DAY_1, body: `${DAY_1.body}{"ts":9}\n`, modifiedAt: new Date('2018-11-09T00:00:00Z') };
    given([changed], [loaded(DAY_1)]);
    const error = (await runScheduledLoad(context(), CONFIG).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain(DAY_1.key);
    expect(error.message).toContain("DELETE FROM load_manifest WHERE file_key = '<key>'");
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(loadSqls()).toEqual([]);
  });

  it('a failed statement fails the run with the statement, its file and what to do; nothing was committed', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    failLoadAt((sql) => sql.startsWith('COPY staging_events'), 'Load into table staging_events failed. Check SYS_LOAD_ERROR_DETAIL');
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(
      /^Scheduled load run-1: Statement \d+ of \d+ \(scheduled\/04_copy_events.sql: COPY staging_events FROM 's3:\/\/runs-bucket.*failed: Load into table staging_events failed.*SYS_LOAD_ERROR_DETAIL.*nothing of it was committed/,
    );
  });

  it('a failed recording check (another load got the file first) names the check and its file', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    failLoadAt((sql) => sql.includes('files_not_loaded_before_passed'), 'division by zero');
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(
      /Statement \d+ of \d+ \(scheduled\/06_record_files.sql: SELECT 1 \/ CASE .*\) failed: division by zero\. Check files_not_loaded_before: another load recorded some of these files first; the next run lists the files again\. The load ran as one transaction/,
    );
  });

  it('an aborted load says so', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)], { Status: 'ABORTED', SubStatements: [] });
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(/was aborted .*Nothing of it was committed/);
  });

  it('loads nothing while an earlier scheduled load still runs', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    // ListStatements shows statements still running only when asked for every state.
    redshift.on(ListStatementsCommand, { StatementName: 'sparkify-scheduled-', Status: 'ALL' }).resolves({
      Statements: [
        { StatementName: 'sparkify-scheduled-run-0-manifest', Id: 'old-manifest', Status: 'FINISHED' },
        { StatementName: 'sparkify-scheduled-run-0-load', Id: 'old-load', Status: 'STARTED' },
      ],
    });
    expect(await runScheduledLoad(context(), CONFIG)).toEqual({ status: 'previous-load-running', statementId: 'old-load' });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('follows every page of the bucket listing', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    const listed = (object: SourceObject) => ({ Key: object.key, Size: Buffer.byteLength(object.body), LastModified: object.modifiedAt });
    s3.on(ListObjectsV2Command, { Bucket: 'udacity-dend', Prefix: 'log_data' }).callsFake((input: { ContinuationToken?: string }) =>
      input.ContinuationToken === 'page-2'
        ? { Contents: [listed(DAY_2)], IsTruncated: false }
        : { Contents: [listed(DAY_1)], IsTruncated: true, NextContinuationToken: 'page-2' },
    );
    expect(await runScheduledLoad(context(), CONFIG)).toMatchObject({ status: 'loaded', loadedFiles: 1, unchangedFiles: 1 });
    expect(JSON.parse(written()['log_data.manifest']).entries).toEqual([{ url: `s3://runs-bucket/runs/${RUN_ID}/log_data/part-00001-of-00001.json.gz`, mandatory: true }]);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key)).toEqual([DAY_2.key, DAY_2.key]);
  });

  it('a failed read of load_manifest fails the run with Redshift’s error, loading nothing', async () => {
    given([DAY_1, DAY_2], []);
    redshift.on(DescribeStatementCommand, { Id: MANIFEST_READ }).resolves({
      Status: 'FAILED',
      SubStatements: [{ Id: `${MANIFEST_READ}:1`, Status: 'FAILED', Error: 'relation "load_manifest" does not exist' }],
    });
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(
      'Scheduled load run-1: reading load_manifest failed: relation "load_manifest" does not exist',
    );
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(loadSqls()).toEqual([]);
  });

  it('starts no load when listing and hashing left too little of the invocation', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    remainingMs = 4 * 60_000;
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(/left too little of this invocation to run the load; nothing was submitted/);
    expect(loadSqls()).toEqual([]);
  });

  it('stops waiting, with an error, when the invocation is about to end', async () => {
    given([DAY_1, DAY_2], [loaded(DAY_1)]);
    redshift.on(DescribeStatementCommand, { Id: LOAD }).callsFake(() => {
      remainingMs = 10_000; // the load runs on while the invocation nears its end
      return { Status: 'STARTED', SubStatements: [] };
    });
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(/the load \(statement load\) is still running as this invocation ends/);
  });

  it('never writes the secret ARN or a password to a log line or an error', async () => {
    const errors: string[] = [];
    for (const status of ['FAILED', 'ABORTED'] as const) {
      redshift.reset();
      s3.reset();
      given([DAY_1, DAY_2], [loaded(DAY_1)], { Status: status, Error: 'boom', SubStatements: [{ Id: `${LOAD}:1`, Status: status, Error: 'boom' }] });
      errors.push(((await runScheduledLoad(context(), CONFIG).catch((caught: unknown) => caught)) as Error).message);
    }
    const lines = [...logged.map((entry) => JSON.stringify(entry)), ...errors];
    expect(logged.length).toBeGreaterThan(0);
    for (const text of lines) {
      expect(text).not.toContain(SECRET_ARN);
      expect(text).not.toMatch(/password/i);
    }
  });
});

describe('the scheduled load settings', () => {
  it('name what is missing', () => {
    expect(() => parseScheduledLoadConfig(undefined)).toThrow(/SPARKIFY_SCHEDULED_LOAD is not set/);
    expect(() => parseScheduledLoadConfig(JSON.stringify({ ...CONFIG, runsBucket: '' }))).toThrow(/lacks runsBucket/);
    expect(() => parseScheduledLoadConfig(JSON.stringify({ ...CONFIG, target: { ...CONFIG.target, secretArn: undefined } }))).toThrow(
      /SPARKIFY_SCHEDULED_LOAD's target names no admin secret/,
    );
    expect(parseScheduledLoadConfig(JSON.stringify(CONFIG))).toEqual(CONFIG);
  });

  it('refuse a source bucket outside the stack region', () => {
    expect(() => checkSourceRegion(CONFIG, 'eu-west-1')).toThrow(/udacity-dend is in us-west-2, the stack in eu-west-1/);
    expect(() => checkSourceRegion(CONFIG, 'us-west-2')).not.toThrow();
  });
});

describe('a paused cluster', () => {
  const paused = () =>
    controlPlane.on(DescribeClustersCommand).resolves({ Clusters: [{ ClusterIdentifier: 'sparkify-cluster', ClusterStatus: 'paused' }] });

  it('is skipped with a log line saying the next run after its resume loads what arrived; nothing is listed or submitted', async () => {
    given([DAY_1], []);
    paused();
    await expect(runScheduledLoad(context(), CONFIG)).resolves.toEqual({ status: 'cluster-paused', clusterIdentifier: 'sparkify-cluster' });
    expect(controlPlane.commandCalls(DescribeClustersCommand).map((call) => call.args[0].input)).toEqual([{ ClusterIdentifier: 'sparkify-cluster' }]);
    expect(logged).toEqual([expect.objectContaining({ event: 'cluster-paused', note: expect.stringMatching(/loads nothing.*after it resumes/) })]);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(redshift.commandCalls(ListStatementsCommand)).toHaveLength(0);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('an available cluster is loaded as usual, after one DescribeClusters of it', async () => {
    given([DAY_1], []);
    await expect(runScheduledLoad(context(), CONFIG)).resolves.toMatchObject({ status: 'loaded', loadedFiles: 1 });
    expect(controlPlane.commandCalls(DescribeClustersCommand)).toHaveLength(1);
  });

  it('a Serverless workgroup has no cluster status to ask: DescribeClusters is never called', async () => {
    given([DAY_1], []);
    paused();
    const workgroup: ScheduledLoadConfig = {
      ...CONFIG,
      target: { database: 'sparkify', workgroupName: 'sparkify', secretArn: SECRET_ARN, resourceArn: 'arn:aws:redshift-serverless:us-west-2:123456789012:workgroup/w' },
    };
    await expect(runScheduledLoad(context(), workgroup)).resolves.toMatchObject({ status: 'loaded', loadedFiles: 1 });
    expect(controlPlane.commandCalls(DescribeClustersCommand)).toHaveLength(0);
  });

  it('a DescribeClusters that fails fails the run, naming the cluster and the permission, before anything is submitted', async () => {
    given([DAY_1], []);
    controlPlane
      .on(DescribeClustersCommand)
      .rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/r is not authorized to perform: redshift:DescribeClusters'), { name: 'AccessDenied' }));
    await expect(runScheduledLoad(context(), CONFIG)).rejects.toThrow(
      /^Reading the status of cluster sparkify-cluster \(redshift:DescribeClusters\) failed: AccessDenied: .*not authorized.*Nothing was loaded; the function's role must allow redshift:DescribeClusters on the cluster/,
    );
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  it('an answer describing no cluster is an error, not an available cluster', async () => {
    controlPlane.on(DescribeClustersCommand).resolves({ Clusters: [] });
    await expect(clusterStatusReader()('sparkify-cluster')).rejects.toThrow('DescribeClusters described no cluster sparkify-cluster');
  });
});
