/**
 * The warehouse sizes the project deploys, and what an hour of each costs, written once
 * for the construct (lib/warehouse.ts), the app's context check and the preflight.
 * Plain data: no aws-cdk-lib, no AWS SDK.
 */

/**
 * The node types a new provisioned cluster may use: RA3 only (dc2 can no longer be provisioned).
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html
 */
export const RA3_NODE_TYPES = ['ra3.large', 'ra3.xlplus', 'ra3.4xlarge', 'ra3.16xlarge'] as const;

/** One of {@link RA3_NODE_TYPES}. */
export type Ra3NodeType = (typeof RA3_NODE_TYPES)[number];

/** The node types a single-node cluster may use; the larger ones need two nodes or more. */
export const SINGLE_NODE_TYPES: readonly Ra3NodeType[] = ['ra3.large', 'ra3.xlplus'];

/** Whether `value` names one of {@link RA3_NODE_TYPES}. */
export function isRa3NodeType(value: string): value is Ra3NodeType {
  return (RA3_NODE_TYPES as readonly string[]).includes(value);
}

/** The size a warehouse gets when its props say nothing: the smallest of each kind. */
export const WAREHOUSE_SIZE_DEFAULTS = {
  /** A provisioned cluster's node type. */
  nodeType: 'ra3.large',
  /** A provisioned cluster's nodes: a single-node cluster. */
  numberOfNodes: 1,
  /** A Serverless workgroup's base capacity, in RPUs. */
  baseCapacity: 8,
} as const satisfies { nodeType: Ra3NodeType; numberOfNodes: number; baseCapacity: number };

/**
 * Approximate on-demand list prices in US dollars (us-east-1, when written): an hour of
 * one node of each type. Other regions differ; the pricing page is the authority.
 * @see https://aws.amazon.com/redshift/pricing/
 */
export const NODE_HOURLY_PRICE_USD: Readonly<Record<Ra3NodeType, number>> = {
  'ra3.large': 0.543,
  'ra3.xlplus': 1.086,
  'ra3.4xlarge': 3.26,
  'ra3.16xlarge': 13.04,
};

/** The same for one Redshift Processing Unit of Serverless, per hour while queries run. */
export const RPU_HOURLY_PRICE_USD = 0.375;

/**
 * Slices per node of each RA3 type ("default slices per node" in the node-type table):
 * COPY loads one unsplittable file (JSON, gzip) per slice at a time, so the compacted
 * song files come in a multiple of the warehouse's slices.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-ra3-node-types
 * @see https://docs.aws.amazon.com/redshift/latest/dg/t_splitting-data-files.html
 */
export const SLICES_PER_NODE: Readonly<Record<Ra3NodeType, number>> = {
  'ra3.large': 2,
  'ra3.xlplus': 2,
  'ra3.4xlarge': 4,
  'ra3.16xlarge': 16,
};

/**
 * Redshift Serverless publishes no slice count (capacity is RPUs, and changes as it
 * scales), so a Serverless load assumes 16: a multiple of every per-node count above,
 * so files split for it divide evenly over 2, 4, 8 or 16 slices.
 */
export const SERVERLESS_ASSUMED_SLICES = 16;

/** The slices a warehouse of this size loads with (for Serverless, {@link SERVERLESS_ASSUMED_SLICES}). */
export function warehouseSlices(size: { readonly serverless?: boolean; readonly nodeType?: Ra3NodeType; readonly numberOfNodes?: number }): number {
  if (size.serverless) return SERVERLESS_ASSUMED_SLICES;
  return SLICES_PER_NODE[size.nodeType ?? WAREHOUSE_SIZE_DEFAULTS.nodeType] * (size.numberOfNodes ?? WAREHOUSE_SIZE_DEFAULTS.numberOfNodes);
}
