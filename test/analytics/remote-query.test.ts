import { BatchExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../src/data-api/client';
import { readAnalyticsQueries } from '../../src/analytics/queries';
import { runRemoteQuery } from '../../src/analytics/remote-query';

const redshift = mockClient(RedshiftDataClient);
const noWait = async () => undefined;

beforeEach(() => {
  redshift.reset();
});

describe('runRemoteQuery', () => {
  const query = readAnalyticsQueries().find((candidate) => candidate.name === 'top-songs');

  it('sends the analytics query as written after entering the warehouse schema, in one batch, waits for it and returns its rows', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q' });
    redshift.on(DescribeStatementCommand).resolvesOnce({ Status: 'PICKED' }).resolvesOnce({ Status: 'STARTED' }).resolves({ Status: 'FINISHED' });
    redshift.on(GetStatementResultCommand, { Id: 'q:2' }).resolves({
      ColumnMetadata: [{ name: 'title' }, { name: 'artist' }, { name: 'plays' }, { name: 'listeners' }, { name: 'matched_plays' }],
      Records: [[{ stringValue: "You're The One" }, { stringValue: 'Dwight Yoakam' }, { longValue: 37 }, { longValue: 22 }, { longValue: 0 }]],
    });
    const rows = await runRemoteQuery(new DataApi(new RedshiftDataClient({})), { database: 'sparkify', workgroupName: 'wg' }, query?.sql ?? '', noWait);
    expect(rows).toEqual([{ title: "You're The One", artist: 'Dwight Yoakam', plays: 37, listeners: 22, matched_plays: 0 }]);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input).toMatchObject({
      Sqls: [expect.stringMatching(/^SET search_path TO "sparkify", public\b/), query?.sql],
      WorkgroupName: 'wg',
      Database: 'sparkify',
    });
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(3);
  });

  it('throws Redshift error when the query fails', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q' });
    redshift.on(DescribeStatementCommand).resolves({
      Status: 'FAILED',
      SubStatements: [
        { Id: 'q:1', Status: 'FINISHED' },
        { Id: 'q:2', Status: 'FAILED', Error: 'relation "songs" does not exist' },
      ],
    });
    await expect(runRemoteQuery(new DataApi(new RedshiftDataClient({})), { database: 'd', workgroupName: 'w' }, 'SELECT 1;', noWait)).rejects.toThrow(
      /The query failed: relation "songs" does not exist/,
    );
  });
});
