import { describe, expect, it } from 'vitest';
import { formatCount, formatDay, formatHour, formatMoment, formatQuantity, formatShare, repairMojibake, weekdayName } from '../../src/analytics/format';
import { formatPeriod } from '../../src/analytics/report';

describe('how the report writes figures', () => {
  it('counts with thousands separators, shares that never round a small one to 0%', () => {
    expect(formatCount(6820)).toBe('6,820');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatQuantity(1, 'play', 'plays')).toBe('1 play');
    expect(formatQuantity(6820, 'play', 'plays')).toBe('6,820 plays');
    expect(formatShare(5591, 6820)).toBe('82%');
    expect(formatShare(1, 6820)).toBe('0.015%');
    expect(formatShare(542, 6820)).toBe('7.9%');
    expect(formatShare(0, 6820)).toBe('0%');
    expect(formatShare(3, 3)).toBe('100%');
    expect(formatShare(6819, 6820)).toBe('99.9%');
    expect(formatShare(199, 200)).toBe('99.5%');
    expect(formatShare(0, 0)).toBe('–');
  });

  it('days, moments and periods in UTC, as a person reads them, whatever the machine’s time zone', () => {
    expect(formatDay('2018-11-01')).toBe('Thu 1 Nov 2018');
    expect(formatDay(new Date('2018-11-30T23:59:59Z'))).toBe('Fri 30 Nov 2018');
    expect(formatMoment(new Date('2018-11-01T21:01:46.796Z'))).toBe('Thu 1 Nov 2018, 21:01 UTC');
    expect(formatPeriod(new Date('2018-11-01T21:01:46Z'), new Date('2018-11-30T19:54:24Z'))).toBe('1–30 Nov 2018');
    expect(formatPeriod(new Date('2018-11-05T07:30:00Z'), new Date('2018-11-05T21:14:00Z'))).toBe('5 Nov 2018');
    expect(formatPeriod(new Date('2018-11-28T00:00:00Z'), new Date('2018-12-03T00:00:00Z'))).toBe('28 Nov – 3 Dec 2018');
    expect(formatPeriod(new Date('2018-12-30T00:00:00Z'), new Date('2019-01-02T00:00:00Z'))).toBe('30 Dec 2018 – 2 Jan 2019');
    expect(formatHour(7)).toBe('07:00');
    expect(weekdayName(0)).toBe('Sunday');
    expect(weekdayName(3)).toBe('Wednesday');
  });

  it('repairs names that were UTF-8 read as Latin-1, once or twice, and leaves any other text alone', () => {
    expect(repairMojibake('Bj\u00c3\u0083\u00c2\u00b6rk')).toBe('Björk'); // as the sample's logs have it
    expect(repairMojibake('Repr\u00c3\u00a9sente')).toBe('Représente');
    for (const text of ['Björk', 'café', 'Coldplay', 'Sigur Rós', '東京事変', '']) expect(repairMojibake(text)).toBe(text);
  });
});
