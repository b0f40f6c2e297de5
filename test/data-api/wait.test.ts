import { DescribeStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataApi } from '../../src/data-api/client';

const redshift = mockClient(RedshiftDataClient);
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

/** A sleep that records each pause instead of waiting. */
function recordingSleep(): { pauses: number[]; sleep: (ms: number) => Promise<void> } {
  const pauses: number[] = [];
  return { pauses, sleep: async (ms) => void pauses.push(ms) };
}

beforeEach(() => {
  redshift.reset();
});

describe('DataApi.waitFor', () => {
  it('GIVEN a statement that runs a while WHEN waited for THEN it pauses longer after each look, up to five seconds, and returns the finished description', async () => {
    const describe = redshift.on(DescribeStatementCommand);
    for (let look = 0; look < 7; look += 1) describe.resolvesOnce({ Status: look % 2 === 0 ? 'STARTED' : 'PICKED' });
    describe.resolves({ Status: 'FINISHED', SubStatements: [{ Id: 's:1', Status: 'FINISHED', Duration: 2e9 }] });
    const { pauses, sleep } = recordingSleep();
    const finished = await new DataApi(new RedshiftDataClient({})).waitFor('s', { what: 'The query', sleep });
    expect(finished).toMatchObject({ id: 's', state: 'FINISHED', subStatements: [{ id: 's:1', seconds: 2 }] });
    expect(pauses).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('GIVEN throttled looks WHEN waited for THEN they count as still running and the next look tries again', async () => {
    redshift.on(DescribeStatementCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ Status: 'FINISHED' });
    const { pauses, sleep } = recordingSleep();
    await expect(new DataApi(new RedshiftDataClient({})).waitFor('s', { what: 'The query', sleep })).resolves.toMatchObject({ state: 'FINISHED' });
    expect(pauses).toHaveLength(2);
  });

  it('GIVEN an error other than throttling WHEN looking THEN it is thrown as it is', async () => {
    redshift.on(DescribeStatementCommand).rejects(Object.assign(new Error('Query does not exist'), { name: 'ResourceNotFoundException' }));
    await expect(new DataApi(new RedshiftDataClient({})).waitFor('s', { what: 'The query', sleep: recordingSleep().sleep })).rejects.toThrow(
      'Query does not exist',
    );
  });

  it('GIVEN a failed or aborted statement THEN the error names what failed and Redshift’s error', async () => {
    const api = new DataApi(new RedshiftDataClient({}));
    redshift
      .on(DescribeStatementCommand)
      .resolvesOnce({ Status: 'FAILED', SubStatements: [{ Id: 's:1', Status: 'FINISHED' }, { Id: 's:2', Status: 'FAILED', Error: 'permission denied for table songs' }] })
      .resolvesOnce({ Status: 'ABORTED', Error: 'Query cancelled.' });
    await expect(api.waitFor('s', { what: 'The query' })).rejects.toThrow(/^The query failed: permission denied for table songs$/);
    await expect(api.waitFor('s', { what: 'The query' })).rejects.toThrow(/^The query was aborted: Query cancelled\.$/);
  });

  it('GIVEN a statement still running WHEN its pauses would pass maxWaitMs THEN it gives up, saying how long it waited', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    const { pauses, sleep } = recordingSleep();
    await expect(new DataApi(new RedshiftDataClient({})).waitFor('s', { what: 'The query', maxWaitMs: 4000, sleep })).rejects.toThrow(
      /^The query \(statement s\) is still running after 4 s of waiting\.$/,
    );
    expect(pauses).toEqual([250, 500, 1000, 2000]);
  });

  it('GIVEN remainingMs WHEN less is left than the next pause THEN it gives up with the caller’s words, however long maxWaitMs would allow', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'SUBMITTED' });
    let remainingMs = 800; // two pauses (250 + 500 ms) fit, the third (1000 ms) does not
    const sleep = async (ms: number) => void (remainingMs -= ms);
    const wait = { what: 'The load', remainingMs: () => remainingMs, whenGivingUp: 'as the invocation ends.', sleep };
    await expect(new DataApi(new RedshiftDataClient({})).waitFor('s', wait)).rejects.toThrow(/^The load \(statement s\) is still running as the invocation ends\.$/);
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(3);
  });
});
