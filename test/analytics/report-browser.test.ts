import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analytics/report';
import { localReader } from '../../src/analytics/queries';
import { SECTIONS } from '../../src/analytics/sections';
import { tablesOf } from '../../src/sql/erd';
import { SQL_DIR } from '../../src/sql/sql-files';
import { PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';
import { handMadeSample } from './hand-made-sample';

/** Debian's Chromium (scripts/install-test-tools.sh installs it; no browser is downloaded). */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI opens the report in ${CHROMIUM}: run scripts/install-test-tools.sh`);
if (!available) console.warn(`Skipping the browser test of the report: ${CHROMIUM} is not installed (CI has it).`);
/** The README's screenshot is of the real sample; without it, of the hand-made one. */
const real = udacitySamplePresent('the report screenshot of the real sample');

const OUTPUT = path.join(PROJECT_ROOT, 'test-output');
const VIEWPORT = { width: 1280, height: 900 };
/** The README shows the page's first screens: the headline and the first sections. */
const README_SHOT_HEIGHT = 1640;

describe.runIf(available)('report.html in headless Chromium', () => {
  const shared = sharedWarehouse();
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    await shared.load({ dataDir: real ? UDACITY_SAMPLE : handMadeSample() });
    const file = path.join(tempDir(), 'report.html');
    writeFileSync(file, await buildReport(localReader(shared.engine().db)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(`file://${file}`);
  });
  afterAll(async () => browser?.close());

  it('draws every chart with marks (bars, lines, points) and a size', async () => {
    const charts = await page.$$eval('.chart svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll('.mark-rect path, .mark-line path, .mark-symbol path')].filter((mark) => {
          const markBox = mark.getBoundingClientRect();
          return markBox.width > 0 || markBox.height > 0;
        });
        return { section: svg.closest('section')?.id, width: box.width, height: box.height, marks: marks.length };
      }),
    );
    expect(charts.map((chart) => chart.section)).toEqual(SECTIONS.map((section) => section.query));
    for (const chart of charts) {
      expect(chart.width, chart.section).toBeGreaterThan(300);
      expect(chart.height, chart.section).toBeGreaterThan(60);
      expect(chart.marks, chart.section).toBeGreaterThan(0);
    }
  });

  it('draws the ERD as an SVG naming every table of the DDL', async () => {
    const erd = await page.$eval('.erd svg', (svg) => ({ text: svg.textContent ?? '', width: svg.getBoundingClientRect().width, boxes: svg.querySelectorAll('rect').length }));
    expect(erd.width).toBeGreaterThan(300);
    expect(erd.boxes).toBeGreaterThan(0);
    for (const table of tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8'))) expect(erd.text).toContain(table.name);
  });

  it('uses the page’s width without overflowing it, folds long tables, logs no error and fetches nothing', async () => {
    const layout = await page.$eval('html', (root) => ({
      scrollWidth: root.scrollWidth,
      main: root.querySelector('main')?.getBoundingClientRect().width ?? 0,
      openFolds: [...root.querySelectorAll('details')].filter((details) => details.open).length,
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(VIEWPORT.width);
    expect(layout.main).toBeGreaterThan(1100);
    expect(layout.openFolds).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('is screenshotted: test-output/report.png (the README’s docs/report.png) and the whole page', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'report-full.png'), fullPage: true });
    await page.screenshot({ path: path.join(OUTPUT, 'report.png'), fullPage: true, clip: { x: 0, y: 0, width: VIEWPORT.width, height: README_SHOT_HEIGHT } });
    expect(existsSync(path.join(OUTPUT, 'report.png'))).toBe(true);
  });
});
