import type { TopLevelSpec } from 'vega-lite';

/** One bar, point or column of a chart: its label (or day, or number) and its value. */
export interface Datum {
  readonly label: string | number;
  readonly value: number;
}

/** What every chart of the report shares: a title, the value axis's title, its width in px. */
export interface ChartOptions {
  readonly title: string;
  readonly valueTitle: string;
  readonly width?: number;
}

const ACCENT = '#3a6ea5';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

/** The report's look: one accent colour, no frame, left-aligned titles, readable labels. */
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 14, fontWeight: 600, offset: 12, color: '#222' },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 500, titleColor: '#555', labelColor: '#333', gridColor: '#eceff3', domainColor: '#bbb', tickColor: '#bbb' },
  bar: { color: ACCENT },
  line: { color: ACCENT, strokeWidth: 2 },
  point: { color: ACCENT, filled: true, size: 36 },
} as const;

const DEFAULT_WIDTH = 480;
/** The width given is the whole chart's, labels and titles included: it is drawn at the size the page shows it. */
const FIT_WIDTH = { type: 'fit-x', contains: 'padding' } as const;

/** What every chart of the report shares: its title, its width, its height and its data. */
function frame(data: readonly Datum[], options: ChartOptions, height: number) {
  return {
    title: options.title,
    width: options.width ?? DEFAULT_WIDTH,
    autosize: FIT_WIDTH,
    height,
    data: { values: data.map((datum) => ({ ...datum })) },
    config: CONFIG,
  };
}

/**
 * Horizontal bars for ranked names (songs, artists, places), in the order given, the
 * value written at the end of each bar: long names stay level and readable.
 */
export function rankedBars(data: readonly Datum[], options: ChartOptions & { readonly labelLimit?: number }): TopLevelSpec {
  return {
    ...frame(data, options, 24 * data.length),
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, axis: { title: null, labelLimit: options.labelLimit ?? 260, labelPadding: 6, ticks: false, domain: false } },
      x: { field: 'value', type: 'quantitative', axis: { title: options.valueTitle, format: ',d', tickMinStep: 1, grid: true } },
    },
    layer: [
      { mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.75 } } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#333' }, encoding: { text: { field: 'value', type: 'quantitative', format: ',d' } } },
    ],
  };
}

/** Upright columns over an ordered category (hours, weekdays), labels level, not rotated. */
export function columns(data: readonly Datum[], options: ChartOptions & { readonly categoryTitle: string }): TopLevelSpec {
  return {
    ...frame(data, options, 200),
    mark: { type: 'bar', cornerRadiusEnd: 2 },
    encoding: {
      x: { field: 'label', type: 'ordinal', sort: null, axis: { title: options.categoryTitle, labelAngle: 0, ticks: false } },
      y: { field: 'value', type: 'quantitative', axis: { title: options.valueTitle, format: ',d', tickMinStep: 1 } },
    },
  };
}

/** A line with a point per day ("YYYY-MM-DD" labels, UTC), the axis marking whole days (at most 15) as "5 Nov". */
export function daily(data: readonly Datum[], options: ChartOptions): TopLevelSpec {
  return {
    ...frame(data, options, 200),
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'label', type: 'temporal', scale: { type: 'utc' }, axis: { title: null, format: '%-d %b', labelAngle: 0, tickCount: { interval: 'day', step: Math.max(1, Math.ceil(data.length / 15)) }, labelOverlap: true, grid: false } },
      y: { field: 'value', type: 'quantitative', axis: { title: options.valueTitle, format: ',d', tickMinStep: 1 } },
    },
  };
}

/**
 * How wide the printable ASCII characters (32 to 126) are, in hundredths of an em, as
 * DejaVu Sans (what system-ui is on Debian, and the widest of the usual fonts) draws them.
 */
const ASCII_WIDTHS = [
  32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63,
  58, 77, 75, 29, 29, 66, 56, 86, 75, 79, 60, 79, 69, 63, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58,
  28, 97, 63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84,
];

/** The width in px of a text in the charts' font: letters beyond ASCII count as an average one, wide scripts as 1 em. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let hundredths = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    hundredths += code >= 32 && code <= 126 ? ASCII_WIDTHS[code - 32] : code < 0x2e80 ? 62 : 100;
  }
  return (hundredths / 100) * fontSize * (bold ? 1.06 : 1);
}

interface TextItem {
  readonly fontSize?: number;
  readonly fontWeight?: string | number;
  readonly limit?: number;
}

/**
 * Vega measures text with a canvas, and without one (as here, in Node) takes every
 * character as 0.8 em wide: labels are cut off early and given room they do not use.
 * This measures them with the font's own widths instead (capped at the label's limit,
 * as Vega's own estimate is), so the chart is laid out as the browser draws it.
 */
function useFontWidths(vega: unknown): void {
  // Vega exports textMetrics (from vega-scenegraph) for this, but its typings do not declare it.
  const { textMetrics } = vega as { textMetrics: { width: (item: TextItem, text: unknown) => number } };
  textMetrics.width = (item, text) => {
    const weight = item.fontWeight;
    const width = textWidth(String(text ?? '').trim(), item.fontSize ?? 11, weight === 'bold' || Number(weight) >= 600);
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

/**
 * Renders a Vega-Lite spec to an SVG string, server-side (Vega's headless renderer):
 * the report needs no network or script to show it.
 */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  // Vega is ESM with top-level await: it can only be loaded with import(), not required.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  useFontWidths(vega);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
