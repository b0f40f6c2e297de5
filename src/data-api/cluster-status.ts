import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';

/**
 * The only Lambda module that talks to the Redshift control plane (@aws-sdk/client-redshift):
 * a provisioned cluster's status, which the scheduled load asks before it runs anything,
 * so that a paused cluster is skipped instead of failing the run.
 */

/** A provisioned cluster's `ClusterStatus` as DescribeClusters reports it: `available`, `paused`, `resuming`, ... */
export type ClusterStatusReader = (clusterIdentifier: string) => Promise<string>;

/**
 * Reads a cluster's status with DescribeClusters, naming the one cluster (its IAM
 * permission can then be scoped to that cluster's ARN).
 * @param client the Redshift client, in the cluster's region
 * @throws naming the cluster and what to check, when the call fails or describes no cluster
 */
export function clusterStatusReader(client: RedshiftClient = new RedshiftClient({ maxAttempts: 6 })): ClusterStatusReader {
  return async (clusterIdentifier) => {
    const output = await client.send(new DescribeClustersCommand({ ClusterIdentifier: clusterIdentifier })).catch((error: unknown) => {
      throw new Error(
        `Reading the status of cluster ${clusterIdentifier} (redshift:DescribeClusters) failed: ${(error as Error).name}: ${(error as Error).message}. ` +
          'Nothing was loaded; the function\'s role must allow redshift:DescribeClusters on the cluster, in the stack\'s region.',
        { cause: error },
      );
    });
    const status = output.Clusters?.[0]?.ClusterStatus;
    if (!status) throw new Error(`DescribeClusters described no cluster ${clusterIdentifier} (no ClusterStatus): nothing was loaded`);
    return status;
  };
}
