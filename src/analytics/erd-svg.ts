/** The class of the element the report puts the diagram in; the diagram's styles apply only inside it. */
export const ERD_SCOPE = 'erd';

/**
 * Draws a Mermaid erDiagram as an SVG string, offline and without a browser
 * (beautiful-mermaid lays it out with ELK in plain JavaScript), ready to inline in a
 * page: its font imports (the only network references it makes) are removed, so the
 * page falls back to the system fonts, and its style rules apply only inside an
 * element of class {@link ERD_SCOPE}, so they do not restyle the page's other SVGs.
 */
export async function erdSvg(mermaid: string): Promise<string> {
  // beautiful-mermaid is ESM only: it can only be loaded with import(), not required.
  const { renderMermaidSVG } = await import('beautiful-mermaid');
  const svg = renderMermaidSVG(mermaid, { bg: '#ffffff', fg: '#2b2f36', line: '#7d8794', accent: '#3a6ea5', font: 'system-ui', padding: 16 });
  return scopeStyles(svg);
}

/** Drops the SVG's `@import`s and prefixes its style rules' selectors with the scope class. */
export function scopeStyles(svg: string): string {
  return svg.replace(/<style>([\s\S]*?)<\/style>/g, (_block, css: string) => {
    const scoped = css
      .replace(/^\s*@import\s+url\([^)]*\)\s*;\s*$/gm, '')
      .replace(/^(\s*)([^{}\n@][^{}\n]*?)\s*\{/gm, (_rule, indent: string, selectors: string) => {
        const prefixed = selectors
          .split(',')
          .map((selector) => `.${ERD_SCOPE} ${selector.trim()}`)
          .join(', ');
        return `${indent}${prefixed} {`;
      });
    return `<style>${scoped}</style>`;
  });
}
