import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite bar chart of query rows to an SVG string, server-side (Vega's
 * headless renderer): the report needs no network or script to show it.
 * @param category the column along the x axis
 * @param value the numeric column the bars show
 */
export async function barChartSvg(rows: readonly Record<string, unknown>[], category: string, value: string, title: string): Promise<string> {
  const spec: TopLevelSpec = {
    title,
    width: 560,
    height: 220,
    data: { values: rows.map((row) => ({ [category]: String(row[category]), [value]: Number(row[value]) })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: category, type: 'ordinal', sort: null, axis: { labelLimit: 140 } },
      y: { field: value, type: 'quantitative' },
    },
  };
  // Vega is ESM with top-level await: it can only be loaded with import(), not required.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
