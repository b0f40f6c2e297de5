/**
 * How the report writes numbers, shares, days and times: thousands separators, dates
 * a person reads ("Thu 1 Nov 2018"), always in UTC (the warehouse's time), and the
 * same output on every machine whatever its locale or time zone.
 */

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A whole number with thousands separators: 6820 → "6,820". */
export function formatCount(value: unknown): string {
  const number = Number(value);
  return Number.isFinite(number) ? COUNT.format(number) : String(value ?? '');
}

/** A count with its noun, singular for one: "1 play", "6,820 plays". */
export function formatQuantity(value: unknown, one: string, many: string): string {
  return `${formatCount(value)} ${Number(value) === 1 ? one : many}`;
}

/**
 * `part` of `whole` as a percentage a person can compare: whole percents, but with two
 * significant digits below 10% so that a small share is never shown as "0%"
 * (1 of 6,820 → "0.015%"), nor one short of all as "100%"; "–" when `whole` is 0.
 */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return '–';
  const percent = (100 * part) / whole;
  if (percent === 0 || percent === 100) return `${percent}%`;
  // Nor is a share short of all shown as "100%".
  if (percent >= 99.5) return `${Math.min(99.9, Math.floor(percent * 10) / 10)}%`;
  if (percent >= 10) return `${Math.round(percent)}%`;
  return `${Number(percent.toPrecision(2))}%`;
}

/** A weekday's name, from EXTRACT(dow) (0 = Sunday). */
export function weekdayName(weekday: number): string {
  return WEEKDAYS[weekday] ?? String(weekday);
}

/** The short name of a weekday (0 = Sunday): "Sun". */
export function weekdayShort(weekday: number): string {
  return weekdayName(weekday).slice(0, 3);
}

/** An hour of the day as the hour it starts: 7 → "07:00". */
export function formatHour(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** A date of a "YYYY-MM-DD" text or a Date, read in UTC. */
function utcDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.slice(0, 10)}T00:00:00Z`);
}

/** A day, in UTC: "Thu 1 Nov 2018". Takes a Date or "YYYY-MM-DD" text. */
export function formatDay(value: Date | string): string {
  const date = utcDate(value);
  return `${weekdayShort(date.getUTCDay())} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** A day without its weekday and year, in UTC: "1 Nov". */
export function formatShortDay(value: Date | string): string {
  const date = utcDate(value);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
}

/**
 * A TIMESTAMP as the engine gave it: a Date from Postgres, or the Data API's text
 * ("2018-11-05 21:01:03.796", UTC: the warehouse keeps times in UTC).
 */
export function utcMoment(value: Date | string): Date {
  if (value instanceof Date) return value;
  const moment = new Date(`${value.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(moment.getTime())) throw new Error(`Not a timestamp: ${value}`);
  return moment;
}

/** A moment to the minute, in UTC: "Thu 1 Nov 2018, 21:01 UTC". */
export function formatMoment(date: Date): string {
  const time = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  return `${formatDay(date)}, ${time} UTC`;
}

/**
 * Repairs text that was UTF-8 read as Latin-1 and encoded again, once or more (the
 * sample's logs hold "BjÃ\u0083Â¶rk" for "Björk"): decodes it back while every
 * character fits in a byte and the bytes are valid UTF-8 with a multi-byte sequence.
 * Text that is not so garbled comes back unchanged.
 */
export function repairMojibake(text: string): string {
  let current = text;
  for (let round = 0; round < 4; round += 1) {
    const characters = [...current].map((character) => character.codePointAt(0) ?? 0);
    // Garbled text has characters past ASCII, and none past one byte.
    if (!characters.some((code) => code >= 0x80) || characters.some((code) => code > 0xff)) return current;
    const bytes = Buffer.from(current, 'latin1');
    const decoded = bytes.toString('utf8');
    // Invalid UTF-8 decodes to U+FFFD: then the text was genuine Latin-1, not garbled.
    if (decoded.includes('\ufffd') || decoded === current) return current;
    current = decoded;
  }
  return current;
}
