import { describe, expect, it } from 'vitest';
import { barChartSvg } from '../../src/analytics/chart';

describe('barChartSvg', () => {
  it('renders one bar per row, with the title, as a standalone SVG', async () => {
    const svg = await barChartSvg([{ hour: 1, plays: 3 }, { hour: 2, plays: 5 }, { hour: 3, plays: 0 }], 'hour', 'plays', 'Plays by hour');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Plays by hour');
    expect(svg.match(/role-mark marks.*?aria-roledescription="bar"/s)).not.toBeNull();
    expect((svg.match(/<path aria-label="hour: /g) ?? []).length).toBe(3);
  });
});
