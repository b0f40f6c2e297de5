import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatusReader } from '../../src/data-api/cluster-status';
import { roleCredentials } from '../../src/rehearsal/lambda-runtime';
import { startRedshiftStandIn, type RedshiftStandIn } from '../../src/rehearsal/redshift-stand-in';

describe("the rehearsal's Redshift stand-in, through the real SDK client", () => {
  let standIn: RedshiftStandIn;
  let client: RedshiftClient;
  const credentials = roleCredentials('ScheduledLoadRole');

  beforeAll(async () => {
    standIn = await startRedshiftStandIn({ clusters: { 'sparkify-cluster': 'available' }, accessKeys: { [credentials.accessKeyId]: 'ScheduledLoadRole' } });
    client = new RedshiftClient({ endpoint: standIn.endpoint, region: 'us-west-2', credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.close();
  });

  it('answers DescribeClusters of a cluster with its status, as the SDK parses the Query protocol XML', async () => {
    const output = await client.send(new DescribeClustersCommand({ ClusterIdentifier: 'sparkify-cluster' }));
    expect(output.Clusters).toEqual([{ ClusterIdentifier: 'sparkify-cluster', ClusterStatus: 'available', ClusterAvailabilityStatus: 'Available' }]);
    expect(standIn.calls.at(-1)).toEqual({ action: 'DescribeClusters', caller: 'ScheduledLoadRole', clusterIdentifier: 'sparkify-cluster', answer: 'available' });
  });

  it('reports the status it is set to: the scheduled load reads paused, then available again', async () => {
    const read = clusterStatusReader(client);
    standIn.setStatus('sparkify-cluster', 'paused');
    expect(await read('sparkify-cluster')).toBe('paused');
    standIn.setStatus('sparkify-cluster', 'available');
    expect(await read('sparkify-cluster')).toBe('available');
  });

  it('answers a cluster it does not know with ClusterNotFound, which the SDK raises as its fault', async () => {
    const error = (await client.send(new DescribeClustersCommand({ ClusterIdentifier: 'other' })).catch((caught: unknown) => caught)) as Error & {
      $metadata?: { httpStatusCode?: number };
    };
    expect(error.name).toBe('ClusterNotFoundFault');
    expect(error.message).toBe('Cluster other not found.');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    await expect(clusterStatusReader(client)('other')).rejects.toThrow(/^Reading the status of cluster other \(redshift:DescribeClusters\) failed: ClusterNotFoundFault: Cluster other not found\./);
  });
});
