import { DescribeStatementCommand, GetStatementResultCommand, BatchExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../lambda/data-api';
import { runE2e, type E2eDeps } from '../../src/aws/e2e';

const redshift = mockClient(RedshiftDataClient);
const LOCAL = { staging_events: 8000, songplays: 6056, users: 99, matched_songplays: 1807 };

function deps(commands: string[][], failDeploy = false): E2eDeps {
  return {
    async run(command, args) {
      commands.push([command, ...args]);
      if (failDeploy && args[1] === 'deploy') throw new Error('npx cdk deploy exited with 1');
    },
    readOutputs: () => ({ E2E: { Database: 'sparkify', ClusterIdentifier: 'cluster-1', AdminSecretArn: 'arn:secret' } }),
    localCounts: async () => LOCAL,
    dataApi: new DataApi(new RedshiftDataClient({})),
    summarySql: 'SELECT 1 AS songplays;',
    log: () => undefined,
    sleep: async () => undefined,
  };
}

function awsReturns(counts: Record<string, number>): void {
  redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q1' });
  redshift.on(DescribeStatementCommand).resolvesOnce({ Status: 'STARTED' }).resolves({ Status: 'FINISHED' });
  redshift.on(GetStatementResultCommand, { Id: 'q1:1' }).resolves({
    ColumnMetadata: Object.keys(counts).map((name) => ({ name })),
    Records: [Object.values(counts).map((longValue) => ({ longValue }))],
  });
}

beforeEach(() => redshift.reset());

describe('runE2e', () => {
  it('deploys the sample variant, compares the Data API counts with the local ones, and destroys the stack', async () => {
    awsReturns(LOCAL);
    const commands: string[][] = [];
    const result = await runE2e(deps(commands), 'E2E', '/tmp/out.json');
    expect(result.differences).toEqual([]);
    expect(commands[0]).toEqual(expect.arrayContaining(['cdk', 'deploy', 'sampleData=true', 'stackName=E2E', 'destroyOnDelete=true']));
    expect(commands[1]).toEqual(expect.arrayContaining(['cdk', 'destroy', '--force', 'stackName=E2E']));
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0].args[0].input).toMatchObject({
      Sqls: ['SELECT 1 AS songplays;'],
      ClusterIdentifier: 'cluster-1',
      SecretArn: 'arn:secret',
      Database: 'sparkify',
    });
  });

  it('lists every count that differs', async () => {
    awsReturns({ ...LOCAL, songplays: 6055 });
    const result = await runE2e(deps([]), 'E2E', '/tmp/out.json');
    expect(result.differences).toEqual(['songplays: local 6056, AWS 6055']);
  });

  it('destroys the stack even when the deploy fails, and says so', async () => {
    const commands: string[][] = [];
    await expect(runE2e(deps(commands, true), 'E2E', '/tmp/out.json')).rejects.toThrow(/deploy exited with 1/);
    expect(commands.map((command) => command[2])).toEqual(['deploy', 'destroy']);
  });
});
