import { describeActiveHours, runningHoursPerWeek, type ActiveHours } from './pause-schedule';
import { clusterCost, defaultMaxCapacity, HOURS_PER_WEEK, serverlessCost, WAREHOUSE_SIZE_DEFAULTS, type Ra3NodeType, type UsageLimitCeiling } from './redshift-capacity';

/**
 * The README's cost table, computed from src/aws/redshift-capacity.ts (a test keeps the
 * README equal to it): what the warehouse's compute costs per hour and per month for a
 * few settings, at the approximate list prices written there.
 */

/** One row: a cluster with its nodes and pause schedule, or a workgroup with its RPUs and usage limit. */
type Variant =
  | { readonly kind: 'cluster'; readonly nodeType: Ra3NodeType; readonly numberOfNodes: number; readonly activeHours?: ActiveHours }
  | { readonly kind: 'serverless'; readonly baseCapacity: number; readonly maxCapacity: number; readonly usageLimit?: UsageLimitCeiling };

const VARIANTS: readonly Variant[] = [
  { kind: 'cluster', nodeType: WAREHOUSE_SIZE_DEFAULTS.nodeType, numberOfNodes: WAREHOUSE_SIZE_DEFAULTS.numberOfNodes },
  { kind: 'cluster', nodeType: WAREHOUSE_SIZE_DEFAULTS.nodeType, numberOfNodes: WAREHOUSE_SIZE_DEFAULTS.numberOfNodes, activeHours: { from: 7, to: 19 } },
  { kind: 'cluster', nodeType: 'ra3.xlplus', numberOfNodes: 2 },
  { kind: 'serverless', baseCapacity: WAREHOUSE_SIZE_DEFAULTS.baseCapacity, maxCapacity: defaultMaxCapacity(WAREHOUSE_SIZE_DEFAULTS.baseCapacity) },
  {
    kind: 'serverless',
    baseCapacity: WAREHOUSE_SIZE_DEFAULTS.baseCapacity,
    maxCapacity: defaultMaxCapacity(WAREHOUSE_SIZE_DEFAULTS.baseCapacity),
    usageLimit: { rpuHours: 500, period: 'monthly' },
  },
];

const usd = (amount: number) => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The table, as Markdown lines. */
export function costTable(): string {
  const rows = VARIANTS.map((variant) => {
    if (variant.kind === 'cluster') {
      const hours = variant.activeHours ? runningHoursPerWeek(variant.activeHours) : HOURS_PER_WEEK;
      const cost = clusterCost(variant.nodeType, variant.numberOfNodes, hours);
      const settings = `${variant.numberOfNodes} × ${variant.nodeType}, ${variant.activeHours ? `active ${describeActiveHours(variant.activeHours)}` : 'always on'}`;
      return `| cluster: ${settings} | ${usd(cost.hourly.high)} while running | ${usd(cost.monthly.high)} |`;
    }
    const cost = serverlessCost(variant.baseCapacity, variant.maxCapacity, variant.usageLimit);
    const limit = variant.usageLimit ? `usage limit ${variant.usageLimit.rpuHours} RPU-hours ${variant.usageLimit.period}` : 'no usage limit';
    const monthly = `nothing while idle; at most ${usd(cost.monthly.high)}${variant.usageLimit ? '' : ' (the ceiling, all month)'}`;
    return `| Serverless: ${variant.baseCapacity}–${variant.maxCapacity} RPUs, ${limit} | ${usd(cost.hourly.low)}–${usd(cost.hourly.high)} while queries run | ${monthly} |`;
  });
  return ['| warehouse (settings) | per hour | per month (730 h) |', '|---|---|---|', ...rows].join('\n');
}
