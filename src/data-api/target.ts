/**
 * Where Redshift Data API calls go, written once for the constructs that grant and
 * configure them (lib/) and the code that makes them (the handlers, the CLIs). Plain
 * types only: this module is bundled into the Lambda functions, so it imports no
 * aws-cdk-lib and no AWS SDK.
 */

/** A warehouse as the loads reach it through the Data API: a provisioned cluster or a Serverless workgroup, as its admin user. */
export interface WarehouseTarget {
  /** The database to run statements in. */
  readonly database: string;
  /**
   * For a provisioned cluster: its identifier.
   * @default none: the warehouse is the Serverless workgroup `workgroupName`
   */
  readonly clusterIdentifier?: string;
  /**
   * For Serverless: the workgroup name.
   * @default none: the warehouse is the cluster `clusterIdentifier`
   */
  readonly workgroupName?: string;
  /**
   * The admin secret the Data API authenticates with, on both kinds of warehouse: every
   * load runs as the admin user, who owns the tables. The Data API reads it, never this code.
   */
  readonly secretArn: string;
  /** The ARN Data API calls are scoped to in IAM: the cluster or the workgroup. */
  readonly resourceArn: string;
}

/**
 * What one Data API call names of a {@link WarehouseTarget}: the database, the cluster
 * or workgroup, and the secret when the caller signs in with it. Without `secretArn` the
 * caller signs in as its own IAM identity (an analyst's role), and is its own database user.
 */
export type WarehouseAddress = Pick<WarehouseTarget, 'database' | 'clusterIdentifier' | 'workgroupName'> &
  Partial<Pick<WarehouseTarget, 'secretArn'>>;

/**
 * `target`, once it names a database and exactly one of a cluster and a workgroup, as
 * the Data API requires.
 * @param where what holds the target, for the error (`The load's Target`, `Stack S`)
 * @throws saying what is missing or doubled
 */
export function checkAddress<T extends WarehouseAddress>(target: Partial<T> | undefined, where: string): T {
  if (!target?.database) throw new Error(`${where} names no database`);
  if (!target.clusterIdentifier === !target.workgroupName) {
    throw new Error(`${where} must name either a cluster identifier or a workgroup name, not ${target.clusterIdentifier ? 'both' : 'neither'}`);
  }
  return target as T;
}

/**
 * `target` checked as {@link checkAddress} does, and holding the admin secret a load signs in with.
 * @throws saying what is missing
 */
export function checkTarget(target: Partial<WarehouseTarget> | undefined, where: string): WarehouseTarget {
  const checked = checkAddress<WarehouseTarget>(target, where);
  if (!checked.secretArn) throw new Error(`${where} names no admin secret (secretArn)`);
  return checked;
}
