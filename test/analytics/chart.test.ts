import { describe, expect, it } from 'vitest';
import { chartSvg, columns, daily, rankedBars, textWidth } from '../../src/analytics/chart';

/** The text of every label of an SVG, in order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
/** The transform rotations of an SVG's labels. */
const rotations = (svg: string) => [...svg.matchAll(/<text[^>]*transform="[^"]*rotate\(([-\d.]+)\)/g)].map((match) => Number(match[1]));

describe('the report charts', () => {
  it('ranked bars: one horizontal bar per name, in the order given, each with its value, the width as asked', async () => {
    const svg = await chartSvg(
      rankedBars(
        [
          { label: 'Coldplay', value: 1058 },
          { label: 'Kings Of Leon', value: 55 },
        ],
        { title: 'Plays of the top artists', valueTitle: 'plays', width: 540 },
      ),
    );
    expect(svg).toMatch(/^<svg[^>]* width="540"/);
    expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(2);
    const labels = texts(svg);
    expect(labels).toContain('Plays of the top artists');
    expect(labels.indexOf('Coldplay')).toBeLessThan(labels.indexOf('Kings Of Leon'));
    expect(labels).toContain('1,058'); // the value at the bar's end, with a thousands separator
    expect(rotations(svg).filter((angle) => angle !== 0 && angle !== -90)).toEqual([]);
  });

  it('columns: level labels for every category, even two', async () => {
    const svg = await chartSvg(columns([{ label: 'free', value: 3 }, { label: 'paid', value: 5 }], { title: 'Plays', valueTitle: 'plays', categoryTitle: 'level' }));
    expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(2);
    expect(texts(svg)).toEqual(expect.arrayContaining(['free', 'paid']));
    // Only the value axis's title is turned (-90); no category label is rotated.
    expect(rotations(svg).filter((angle) => angle !== -90)).toEqual([]);
  });

  it('daily: a line with a point per day, the days written "5 Nov" in UTC', async () => {
    const svg = await chartSvg(
      daily(
        [
          { label: '2018-11-05', value: 2 },
          { label: '2018-11-06', value: 5 },
          { label: '2018-11-07', value: 0 },
        ],
        { title: 'Plays per day', valueTitle: 'plays' },
      ),
    );
    expect(svg).toContain('aria-roledescription="line mark"');
    expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['5 Nov', '6 Nov', '7 Nov']));
    expect(svg).not.toMatch(/GMT|T00:00/);
  });

  it('lays labels out by the font’s widths, not Vega’s 0.8 em a character: a name that fits is not cut short', async () => {
    expect(textWidth('Coldplay', 100)).toBe(70 + 61 + 28 + 63 + 63 + 28 + 61 + 59); // DejaVu Sans, as Chromium measures it
    const name = 'San Francisco-Oakland-Hayward, CA'; // 33 characters: 290 px by Vega's estimate, about 200 px drawn
    const svg = await chartSvg(rankedBars([{ label: name, value: 691 }], { title: 'Plays', valueTitle: 'plays', width: 540, labelLimit: 260 }));
    expect(texts(svg)).toContain(name);
    const cut = await chartSvg(rankedBars([{ label: name.repeat(2), value: 691 }], { title: 'Plays', valueTitle: 'plays', width: 540, labelLimit: 260 }));
    expect(texts(cut).some((text) => text.startsWith('San Francisco') && text.endsWith('…'))).toBe(true);
  });
});
