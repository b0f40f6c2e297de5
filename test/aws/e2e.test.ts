import { DescribeStatementCommand, GetStatementResultCommand, BatchExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { enterSchemaStatement } from '../../src/sql/search-path';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../src/data-api/client';
import { runE2e, type E2eDeps, type ScheduledE2eDeps } from '../../src/aws/e2e';

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
  redshift.on(GetStatementResultCommand, { Id: 'q1:2' }).resolves({
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
      // The query enters the warehouse's schema first, in the same batch (one session).
      Sqls: [enterSchemaStatement(), 'SELECT 1 AS songplays;'],
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

describe('runE2e --scheduled', () => {
  const WITH_DAY = { ...LOCAL, staging_events: 270, songplays: 6300, users: 100, matched_songplays: 1900 };

  /** Fakes for the scheduled part: what was done, and what the function returns run by run. */
  function scheduledDeps(done: string[], results: unknown[]): ScheduledE2eDeps {
    return {
      putExtraDay: async (bucket) => void done.push(`put ${bucket}`),
      localCountsWithExtraDay: async () => WITH_DAY,
      invoke: async (name) => {
        done.push(`invoke ${name}`);
        return results.shift();
      },
    };
  }

  function withSchedule(commands: string[][], scheduled: ScheduledE2eDeps): E2eDeps {
    return {
      ...deps(commands),
      readOutputs: () => ({
        E2E: { Database: 'sparkify', WorkgroupName: 'wg', AdminSecretArn: 'arn:secret', SourceUri: 's3://sample-bucket-1/', ScheduledLoadFunctionName: 'loader-fn' },
      }),
      scheduled,
    };
  }

  /** The deploy's counts, then (AWS stages every file on that first run) the counts after the scheduled load. */
  function awsReturnsInTurn(...counts: Record<string, number>[]): void {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q1' });
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    let results = redshift.on(GetStatementResultCommand, { Id: 'q1:2' });
    for (const count of counts) {
      results = results.resolvesOnce({
        ColumnMetadata: Object.keys(count).map((name) => ({ name })),
        Records: [Object.values(count).map((longValue) => ({ longValue }))],
      });
    }
  }

  it('deploys with a schedule, adds a day, runs the loader twice and compares the star tables', async () => {
    awsReturnsInTurn(LOCAL, { ...WITH_DAY, staging_events: 8270 });
    const commands: string[][] = [];
    const done: string[] = [];
    const result = await runE2e(withSchedule(commands, scheduledDeps(done, [{ status: 'loaded' }, { status: 'nothing-new' }])), 'E2E', '/tmp/out.json');
    expect(result.differences).toEqual([]);
    expect(result.afterScheduledLoad).toMatchObject({ songplays: 6300 });
    expect(commands[0]).toEqual(expect.arrayContaining(['sampleData=true', 'schedule=rate(1 day)']));
    expect(done).toEqual(['put sample-bucket-1', 'invoke loader-fn', 'invoke loader-fn']);
    expect(commands.at(-1)).toEqual(expect.arrayContaining(['destroy']));
  });

  it('reports star-table counts that differ and runs that did not do what they should', async () => {
    awsReturnsInTurn(LOCAL, { ...WITH_DAY, songplays: 6299 });
    const result = await runE2e(withSchedule([], scheduledDeps([], [{ status: 'nothing-new' }, { status: 'loaded' }])), 'E2E', '/tmp/out.json');
    expect(result.differences).toEqual([
      'scheduled load: the first run returned {"status":"nothing-new"}, not status "loaded"',
      'after the scheduled load: songplays: local 6300, AWS 6299',
      'scheduled load: the second run returned {"status":"loaded"}, not status "nothing-new"',
    ]);
  });

  it('still destroys the stack when the scheduled load fails', async () => {
    awsReturnsInTurn(LOCAL);
    const commands: string[][] = [];
    const failing: ScheduledE2eDeps = { ...scheduledDeps([], []), invoke: async () => Promise.reject(new Error('loader-fn failed: boom')) };
    await expect(runE2e(withSchedule(commands, failing), 'E2E', '/tmp/out.json')).rejects.toThrow(/loader-fn failed: boom/);
    expect(commands.map((command) => command[2])).toEqual(['deploy', 'destroy']);
  });
});
