/**
 * The sparkify-warehouse construct library: {@link SparkifyWarehouse} to place the whole
 * warehouse in a stack of your own, and the constructs it is made of.
 */
export { SparkifyWarehouse, type SparkifyWarehouseProps } from './sparkify-warehouse';
export { SparkifyStack, type SparkifyStackProps } from './sparkify-stack';
export { Network, type NetworkProps } from './network';
export { CopyRole, type CopyRoleProps } from './copy-role';
export { AuditLogBucket, type AuditLogBucketProps } from './audit-log-bucket';
export { Warehouse, type WarehouseProps } from './warehouse';
export type { WarehouseTarget } from '../src/data-api/target';
export { RA3_NODE_TYPES, type Ra3NodeType } from '../src/aws/redshift-capacity';
export { EtlLoader, LOAD_RESULTS, type EtlLoaderProps, type LoadResult } from './etl-loader';
export { ScheduledLoad, type ScheduledLoadProps } from './scheduled-load';
export { AnalystAccess, type AnalystAccessProps } from './analyst-access';
export { AnalystBastion, type AnalystBastionProps } from './analyst-bastion';
export { LogGroupsExpire, type LogGroupsExpireProps } from './log-groups';
export { grantDataApiAccess, type RunStatementAction } from './data-api-access';
export { resolveSource, PUBLIC_DATASET, type SourceLocation, type ResolvedSource } from './source';
