import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analytics/report';
import { readAnalyticsQueries } from '../../src/analytics/queries';
import { runCli } from '../helpers/cli';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';
import { sharedWarehouse } from '../helpers/warehouse';

describe('the analytics report', () => {
  const shared = sharedWarehouse();
  let html = '';

  beforeAll(async () => {
    const catalog = [song({ song_id: 'SO1', title: 'Alpha <b>', artist_name: 'Band & Co', duration: 100 })];
    await shared.load({
      dataDir: dataDir(catalog, [
        play({ song: 'Alpha <b>', artist: 'Band & Co', length: 100, ts: Date.UTC(2018, 10, 5, 7, 30), itemInSession: 1 }),
        play({ level: 'paid', ts: Date.UTC(2018, 10, 6, 21, 0), itemInSession: 2 }),
      ]),
    });
    html = await buildReport(shared.engine().db, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
  });

  it('has a section with a chart and a table for every question', () => {
    for (const query of readAnalyticsQueries()) {
      const section = html.slice(html.indexOf(`<section id="${query.name}">`));
      expect(section, query.name).toContain('<svg');
      expect(section).toContain('<table>');
    }
  });

  it('says what it was built from and when, and escapes the data', () => {
    expect(html).toContain('Generated 2026-01-02T03:04:05.000Z from a warehouse holding plays from 2018-11-05T07:30:00.000Z to 2018-11-06T21:00:00.000Z');
    expect(html).toContain('<td>songplays</td><td>2</td>');
    expect(html).toContain('Alpha &lt;b&gt;');
    expect(html).not.toContain('Alpha <b>');
    expect(html).toContain('erDiagram');
  });

  it('needs no network: no external scripts, styles or images', () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/);
  });
});

describe('npm run report', () => {
  it('writes report.html from a local warehouse folder', { timeout: 120_000 }, async () => {
    const work = tempDir();
    const data = dataDir([song()], [play()]);
    expect((await runCli('local.ts', ['--data', data, '--db', path.join(work, 'db')])).code).toBe(0);
    const run = await runCli('report.ts', ['--db', path.join(work, 'db'), '--out', path.join(work, 'out')]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(path.join(work, 'out', 'report.html'))).toBe(true);
  });
});
