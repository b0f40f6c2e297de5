/**
 * When a provisioned cluster runs, for a pause/resume schedule: written once for the
 * construct that schedules the actions (lib/pause-resume.ts), the app's context check and
 * the cost the preflight prints. Plain data: no aws-cdk-lib, no AWS SDK.
 */

/** The days a cluster with {@link ActiveHours} runs: `weekdays` pauses it from Friday's end to Monday's start. */
export const ACTIVE_DAYS = ['weekdays', 'every-day'] as const;

/** One of {@link ACTIVE_DAYS}. */
export type ActiveDays = (typeof ACTIVE_DAYS)[number];

/** The hours of the day (UTC) a cluster runs; it is paused the rest of the time. */
export interface ActiveHours {
  /** The hour (UTC, 0–22) the cluster is resumed. */
  readonly from: number;
  /** The hour (UTC, 1–23, after `from`) the cluster is paused. */
  readonly to: number;
  /**
   * The days it is resumed on.
   * @default 'weekdays'
   */
  readonly days?: ActiveDays;
}

/**
 * Why `hours` cannot be scheduled, or undefined when it can.
 */
export function activeHoursProblem(hours: ActiveHours): string | undefined {
  const { from, to } = hours;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 23 || from >= to) {
    return `active hours must be whole UTC hours from 0 to 23, the first before the second (a night across midnight is not supported), got ${from}-${to}`;
  }
  if (hours.days !== undefined && !ACTIVE_DAYS.includes(hours.days)) return `active days must be one of ${ACTIVE_DAYS.join(', ')}, got ${hours.days}`;
  return undefined;
}

/**
 * The Redshift scheduler's cron expressions (`cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)`, UTC) that resume the cluster at `from` and pause it at `to`.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-scheduled-actions.html
 */
export function pauseResumeCrons(hours: ActiveHours): { resume: string; pause: string } {
  const days = (hours.days ?? 'weekdays') === 'weekdays' ? 'MON-FRI' : '*';
  return { resume: `cron(0 ${hours.from} ? * ${days} *)`, pause: `cron(0 ${hours.to} ? * ${days} *)` };
}

/** The hours of a week the cluster runs. */
export function runningHoursPerWeek(hours: ActiveHours): number {
  return (hours.to - hours.from) * ((hours.days ?? 'weekdays') === 'weekdays' ? 5 : 7);
}

/**
 * Reads `FROM-TO` (UTC hours, e.g. `7-19`), as the `activeHours` context key takes it.
 * @returns the hours, or undefined when the text is not of that form
 */
export function parseActiveHours(text: string, days?: ActiveDays): ActiveHours | undefined {
  const match = /^(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  return match ? { from: Number(match[1]), to: Number(match[2]), ...(days ? { days } : {}) } : undefined;
}

/** `7-19 UTC on weekdays`, for messages and the preflight. */
export function describeActiveHours(hours: ActiveHours): string {
  return `${hours.from}:00-${hours.to}:00 UTC ${(hours.days ?? 'weekdays') === 'weekdays' ? 'Monday to Friday' : 'every day'}`;
}
