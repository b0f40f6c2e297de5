import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analytics/report';
import { readAnalyticsQueries } from '../../src/analytics/queries';
import { PROJECT_ROOT } from '../helpers/cli';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';

/** Debian's Chromium (scripts/install-test-tools.sh installs it; no browser is downloaded). */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`CI opens the report in ${CHROMIUM}: run scripts/install-test-tools.sh`);
if (!available) console.warn(`Skipping the browser test of the report: ${CHROMIUM} is not installed (CI has it).`);

describe.runIf(available)('report.html in headless Chromium', () => {
  const shared = sharedWarehouse();
  let browser: Browser;
  let file = '';

  beforeAll(async () => {
    await shared.load({
      dataDir: dataDir([song({ song_id: 'SO1', title: 'Alpha', artist_name: 'Band', duration: 100 })], [
        play({ song: 'Alpha', artist: 'Band', length: 100, ts: Date.UTC(2018, 10, 5, 7, 30), itemInSession: 1 }),
        play({ level: 'paid', ts: Date.UTC(2018, 10, 6, 21, 0), itemInSession: 2 }),
        play({ userId: '2', level: 'free', ts: Date.UTC(2018, 10, 7, 9, 0), sessionId: 5 }),
      ]),
    });
    file = path.join(tempDir(), 'report.html');
    writeFileSync(file, await buildReport(shared.engine().db));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => browser?.close());

  it('renders every chart with a size, logs no error, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${file}`);
    const charts = await page.$$eval('.chart svg', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return { width: box.width, height: box.height, marks: svg.querySelectorAll('path, rect').length };
      }),
    );
    expect(charts).toHaveLength(readAnalyticsQueries().length);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(0);
      expect(chart.height).toBeGreaterThan(0);
      expect(chart.marks).toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
    const output = path.join(PROJECT_ROOT, 'test-output');
    mkdirSync(output, { recursive: true });
    await page.screenshot({ path: path.join(output, 'report.png'), fullPage: true });
    expect(existsSync(path.join(output, 'report.png'))).toBe(true);
  });
});
