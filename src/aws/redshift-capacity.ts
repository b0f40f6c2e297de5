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

/** What the project relies on of one RA3 node type. */
export interface Ra3NodeFacts {
  /**
   * Approximate on-demand list price of an hour of one node, in US dollars (us-east-1,
   * when written). Other regions differ; the pricing page is the authority.
   * @see https://aws.amazon.com/redshift/pricing/
   */
  readonly hourlyPriceUsd: number;
  /**
   * Slices per node ("default slices per node" in the node-type table): COPY loads one
   * unsplittable file (JSON, gzip) per slice at a time, so the compacted song files come
   * in a multiple of the warehouse's slices.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-ra3-node-types
   * @see https://docs.aws.amazon.com/redshift/latest/dg/t_splitting-data-files.html
   */
  readonly slicesPerNode: number;
  /** Whether a single-node cluster may use it; the larger types need two nodes or more. */
  readonly singleNode: boolean;
}

/** The facts of each RA3 node type, a row per type. */
export const RA3_NODE_FACTS: Readonly<Record<Ra3NodeType, Ra3NodeFacts>> = {
  'ra3.large': { hourlyPriceUsd: 0.543, slicesPerNode: 2, singleNode: true },
  'ra3.xlplus': { hourlyPriceUsd: 1.086, slicesPerNode: 2, singleNode: true },
  'ra3.4xlarge': { hourlyPriceUsd: 3.26, slicesPerNode: 4, singleNode: false },
  'ra3.16xlarge': { hourlyPriceUsd: 13.04, slicesPerNode: 16, singleNode: false },
};

/** The node types a single-node cluster may use. */
export const SINGLE_NODE_TYPES: readonly Ra3NodeType[] = RA3_NODE_TYPES.filter((nodeType) => RA3_NODE_FACTS[nodeType].singleNode);

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
  /** A Serverless workgroup's RPU ceiling, as a multiple of its base capacity (see {@link defaultMaxCapacity}). */
  maxCapacityPerBase: 4,
} as const satisfies { nodeType: Ra3NodeType; numberOfNodes: number; baseCapacity: number; maxCapacityPerBase: number };

/**
 * The RPU ceiling a workgroup gets when its props say none: four times its base capacity
 * (32 RPUs for the default 8), never below 8. Without one a workgroup scales as far as a
 * query asks, and a runaway query is billed at that size.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing-on-demand.html
 */
export function defaultMaxCapacity(baseCapacity: number): number {
  return Math.max(8, baseCapacity * WAREHOUSE_SIZE_DEFAULTS.maxCapacityPerBase);
}

/**
 * Why `maxCapacity` is not a ceiling Redshift Serverless takes for a workgroup of
 * `baseCapacity`, or undefined when it is: RPUs come in steps of 8, and a ceiling below
 * the base would never let the workgroup reach its base.
 */
export function maxCapacityProblem(maxCapacity: number, baseCapacity: number): string | undefined {
  if (!Number.isInteger(maxCapacity) || maxCapacity % 8 !== 0 || maxCapacity < 8) return `maxCapacity must be a multiple of 8 RPUs, got ${maxCapacity}`;
  if (maxCapacity < baseCapacity) return `maxCapacity (${maxCapacity} RPUs) must be at least baseCapacity (${baseCapacity} RPUs)`;
  return undefined;
}

/** The approximate price of one Redshift Processing Unit of Serverless, per hour while queries run (as node prices, {@link Ra3NodeFacts}). */
export const RPU_HOURLY_PRICE_USD = 0.375;

/** The hours in a month as AWS's pricing pages count them (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** The hours in a week. */
export const HOURS_PER_WEEK = 168;

/** What a warehouse costs, in US dollars at the nodes' {@link Ra3NodeFacts.hourlyPriceUsd} / {@link RPU_HOURLY_PRICE_USD}. */
export interface WarehouseCost {
  /** An hour of compute at the size billed: the cluster's nodes, or the workgroup's base (and at most its ceiling). */
  readonly hourly: { readonly low: number; readonly high: number };
  /** A month (730 h): the cluster for the hours it is not paused; for Serverless, per hour of queries, or the usage limit's ceiling. */
  readonly monthly: { readonly low: number; readonly high: number };
}

/**
 * A provisioned cluster's compute cost: nodes × the node type's hourly price, for the
 * hours of a month it runs (all of them unless a pause schedule says fewer).
 * @param runningHoursPerWeek the hours of a week the cluster is not paused
 */
export function clusterCost(nodeType: Ra3NodeType, numberOfNodes: number, runningHoursPerWeek = HOURS_PER_WEEK): WarehouseCost {
  const hourly = numberOfNodes * RA3_NODE_FACTS[nodeType].hourlyPriceUsd;
  const monthly = hourly * HOURS_PER_MONTH * (runningHoursPerWeek / HOURS_PER_WEEK);
  return { hourly: { low: hourly, high: hourly }, monthly: { low: monthly, high: monthly } };
}

/** The RPU-hours a Serverless usage limit allows per period. */
export interface UsageLimitCeiling {
  /** The RPU-hours the workgroup may use in each period (a whole number, at least 1). */
  readonly rpuHours: number;
  /** The period the RPU-hours are counted over (CreateUsageLimit's `period`). */
  readonly period: 'daily' | 'weekly' | 'monthly';
}

/** How many periods of each kind a month of {@link HOURS_PER_MONTH} holds. */
const PERIODS_PER_MONTH: Readonly<Record<UsageLimitCeiling['period'], number>> = {
  daily: HOURS_PER_MONTH / 24,
  weekly: HOURS_PER_MONTH / HOURS_PER_WEEK,
  monthly: 1,
};

/**
 * A Serverless workgroup's compute cost: an hour of queries costs base…max RPUs × the RPU
 * price (billed per second while queries run, nothing while idle). A month has no upper
 * bound but the usage limit's RPU-hours; without one, its high end is the ceiling running
 * all month.
 */
export function serverlessCost(baseCapacity: number, maxCapacity: number, usageLimit?: UsageLimitCeiling): WarehouseCost {
  const hourly = { low: baseCapacity * RPU_HOURLY_PRICE_USD, high: maxCapacity * RPU_HOURLY_PRICE_USD };
  const ceiling = usageLimit
    ? Math.min(usageLimit.rpuHours * PERIODS_PER_MONTH[usageLimit.period], maxCapacity * HOURS_PER_MONTH) * RPU_HOURLY_PRICE_USD
    : hourly.high * HOURS_PER_MONTH;
  return { hourly, monthly: { low: 0, high: ceiling } };
}

/**
 * Redshift Serverless publishes no slice count (capacity is RPUs, and changes as it
 * scales), so a Serverless load assumes 16: a multiple of every RA3 `slicesPerNode`,
 * so files split for it divide evenly over 2, 4, 8 or 16 slices.
 */
export const SERVERLESS_ASSUMED_SLICES = 16;

/** The slices a warehouse of this size loads with (for Serverless, {@link SERVERLESS_ASSUMED_SLICES}). */
export function warehouseSlices(size: { readonly serverless?: boolean; readonly nodeType?: Ra3NodeType; readonly numberOfNodes?: number }): number {
  if (size.serverless) return SERVERLESS_ASSUMED_SLICES;
  return RA3_NODE_FACTS[size.nodeType ?? WAREHOUSE_SIZE_DEFAULTS.nodeType].slicesPerNode * (size.numberOfNodes ?? WAREHOUSE_SIZE_DEFAULTS.numberOfNodes);
}
