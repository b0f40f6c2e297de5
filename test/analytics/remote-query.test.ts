import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BatchExecuteStatementCommand, DescribeStatementCommand, GetStatementResultCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../lambda/data-api';
import { readAnalyticsQueries } from '../../src/analytics/queries';
import { runRemoteQuery, stackTarget, targetOfOutputs } from '../../src/analytics/remote-query';

const cfn = mockClient(CloudFormationClient);
const redshift = mockClient(RedshiftDataClient);
const noWait = async () => undefined;

beforeEach(() => {
  cfn.reset();
  redshift.reset();
});

describe('stackTarget', () => {
  it('reads the cluster or the workgroup, with the admin secret (the tables’ owner), from the stack outputs', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'S', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [
        { OutputKey: 'Database', OutputValue: 'sparkify' },
        { OutputKey: 'ClusterIdentifier', OutputValue: 'c1' },
        { OutputKey: 'AdminSecretArn', OutputValue: 'arn:secret' },
      ] }],
    });
    expect(await stackTarget(new CloudFormationClient({}), 'S')).toEqual({ database: 'sparkify', clusterIdentifier: 'c1', secretArn: 'arn:secret' });
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'S', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [
        { OutputKey: 'Database', OutputValue: 'sparkify' },
        { OutputKey: 'WorkgroupName', OutputValue: 'wg' },
        { OutputKey: 'AdminSecretArn', OutputValue: 'arn:secret' },
      ] }],
    });
    expect(await stackTarget(new CloudFormationClient({}), 'S')).toEqual({ database: 'sparkify', workgroupName: 'wg', secretArn: 'arn:secret' });
  });

  it('refuses the outputs of an older stack without the admin secret, saying so', () => {
    expect(() => targetOfOutputs({ Database: 'sparkify', WorkgroupName: 'wg' }, 'S')).toThrow(/names no admin secret/);
  });

  it('says when a stack is not a warehouse stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'S', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    await expect(stackTarget(new CloudFormationClient({}), 'S')).rejects.toThrow(/no Database output/);
  });
});

describe('runRemoteQuery', () => {
  const query = readAnalyticsQueries().find((candidate) => candidate.name === 'top-songs');

  it('sends the analytics query as written, waits for it and returns its rows', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q' });
    redshift.on(DescribeStatementCommand).resolvesOnce({ Status: 'PICKED' }).resolvesOnce({ Status: 'STARTED' }).resolves({ Status: 'FINISHED' });
    redshift.on(GetStatementResultCommand, { Id: 'q:1' }).resolves({
      ColumnMetadata: [{ name: 'title' }, { name: 'artist' }, { name: 'plays' }, { name: 'listeners' }, { name: 'matched_plays' }],
      Records: [[{ stringValue: "You're The One" }, { stringValue: 'Dwight Yoakam' }, { longValue: 37 }, { longValue: 22 }, { longValue: 0 }]],
    });
    const rows = await runRemoteQuery(new DataApi(new RedshiftDataClient({})), { database: 'sparkify', workgroupName: 'wg' }, query?.sql ?? '', noWait);
    expect(rows).toEqual([{ title: "You're The One", artist: 'Dwight Yoakam', plays: 37, listeners: 22, matched_plays: 0 }]);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input).toMatchObject({ Sqls: [query?.sql], WorkgroupName: 'wg', Database: 'sparkify' });
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(3);
  });

  it('throws Redshift error when the query fails', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q' });
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FAILED', SubStatements: [{ Id: 'q:1', Status: 'FAILED', Error: 'relation "songs" does not exist' }] });
    await expect(runRemoteQuery(new DataApi(new RedshiftDataClient({})), { database: 'd', workgroupName: 'w' }, 'SELECT 1;', noWait)).rejects.toThrow(
      /The query FAILED: relation "songs" does not exist/,
    );
  });
});
