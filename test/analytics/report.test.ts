import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analytics/report';
import { localReader } from '../../src/analytics/queries';
import { runCli } from '../helpers/cli';
import { dataDir, play, song, tempDir } from '../helpers/fixtures';
import { ENGINES } from '../helpers/engines';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';
import { handMadeSample } from './hand-made-sample';

const present = udacitySamplePresent('the report on the real sample');
const GENERATED_AT = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** The hand-made sample's headline, from the answers worked out by hand in queries.test.ts. */
const HAND_MADE_HEADLINE = [
  ['Plays', '11', 'by 3 users'],
  ['Users', '4', '2 paid now'],
  ['Paid share', '45%', 'of plays: 5 paid'], // 5 of 11
  ['Free → paid', '2 users', 'upgraded, 3 times'],
  ['Matched to catalogue', '6 of 11', 'plays (55%)'],
  ['Busiest hour', '21:00 UTC', '7 plays'],
  ['Busiest day', 'Tuesday', '5 plays'],
  ['Period (UTC)', '5–10 Nov 2018', '3 days with plays'],
  ['Most played song', 'Alpha', 'Band, 4 plays'],
  ['Most played artist', 'Band', '6 plays'],
];

/** The headline's tiles, in order: label, value, detail (HTML-escaped, as in the page). */
function tiles(html: string): [string, string, string][] {
  return [...html.matchAll(/<div class="tile"><div class="label">(.*?)<\/div><div class="value"[^>]*>(.*?)<\/div><div class="detail"[^>]*>(.*?)<\/div><\/div>/g)].map(
    (match) => [match[1], match[2], match[3]],
  );
}

/** The HTML of one section, by its id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  if (start === -1) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The cells of a section's table, row by row (the first table of the section). */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>(.*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1]));
}

/** The sections of the page, in order, with their headings. */
function headings(html: string): [string, string][] {
  return [...html.matchAll(/<section id="([^"]+)"[^>]*>\s*<h2>(.*?)<\/h2>/g)].map((match) => [match[1], match[2]]);
}

describe('the analytics report', () => {
  const shared = sharedWarehouse();

  describe('with nothing loaded', () => {
    it('a warehouse without tables gets a page saying nothing is loaded yet, with the schema drawn', async () => {
      const html = await buildReport(localReader(shared.engine().db), GENERATED_AT);
      expect(html).toContain('<h2>Nothing loaded yet</h2>');
      expect(html).toContain('npm run local');
      expect(html).not.toMatch(/none to none|undefined|NaN/);
      expect(section(html, 'schema')).toContain('<svg');
    });

    it('a warehouse built before songplays kept the logged title and artist is refused, saying how to rebuild it', async () => {
      const db = shared.engine().db;
      await db.query('CREATE SCHEMA IF NOT EXISTS sparkify');
      await db.query('CREATE TABLE sparkify.songplays (songplay_id BIGINT, start_time TIMESTAMP, song_id VARCHAR(32))');
      await expect(buildReport(localReader(db))).rejects.toThrow(/no song_title, artist_name column.*npm run local -- --reset/);
      await db.query('DROP TABLE sparkify.songplays');
    });

    it('a warehouse with its tables but no plays gets the same page', async () => {
      await shared.load({ dataDir: dataDir([song()], []) });
      const html = await buildReport(localReader(shared.engine().db), GENERATED_AT);
      expect(html).toContain('<h2>Nothing loaded yet</h2>');
      expect(html).not.toContain('id="headline"');
    });
  });

  describe('on a hand-made sample (its answers are worked out in hand-made-sample.ts and queries.test.ts)', () => {
    let html = '';

    beforeAll(async () => {
      await shared.load({ dataDir: handMadeSample() });
      html = await buildReport(localReader(shared.engine().db), GENERATED_AT);
    });

    it('starts with the headline: plays, users, paid share, upgrades, match rate, busiest hour and day, period', () => {
      expect(html.indexOf('id="headline"')).toBeLessThan(html.indexOf('<section'));
      expect(tiles(html)).toEqual(HAND_MADE_HEADLINE);
      expect(html).toContain('11 plays by 3 users, from Mon 5 Nov 2018, 07:30 UTC to Sat 10 Nov 2018, 21:14 UTC.');
      expect(html).toContain('6 of 11 plays (55%) matched a song of the catalogue');
    });

    it('then a section per question, titled for a person, each with its takeaway, chart and table, then the schema', () => {
      expect(headings(html)).toEqual([
        ['top-songs', 'Most played songs'],
        ['top-artists', 'Most played artists'],
        ['top-locations', 'Where the plays come from'],
        ['plays-per-day', 'Plays per day'],
        ['plays-by-hour', 'Plays by hour of day'],
        ['plays-by-weekday', 'Plays by day of the week'],
        ['free-vs-paid', 'Free and paid'],
        ['level-changes', 'Upgrades and downgrades'],
        ['session-lengths', 'Songs per session'],
        ['schema', 'The star schema'],
      ]);
      for (const [id] of headings(html).slice(0, -1)) {
        expect(section(html, id), id).toMatch(/<p class="takeaway">[^<]+<\/p>/);
        expect(section(html, id), id).toMatch(/<div class="chart"><svg/);
        expect(section(html, id), id).toContain('<table>');
      }
      expect(section(html, 'top-songs')).toContain('“Alpha” by Band is played most: 4 plays by 2 users.');
      expect(section(html, 'level-changes')).toContain('2 users upgraded from free to paid (3 times); 1 user went back to free (1 time).');
      expect(section(html, 'session-lengths')).toContain('Of 5 sessions, half hold 2 songs or fewer; the longest holds 3.');
      expect(section(html, 'plays-by-hour')).toContain('The busiest hour is 21:00–22:00 UTC: 7 plays, 64% of all.');
    });

    it('writes the tables for a person: ranks, days, hours, weekdays and changes in words', () => {
      expect(tableRows(section(html, 'top-songs'))).toEqual([
        ['1', 'Alpha', 'Band', '4', '2', '3'],
        ['2', 'Beta', 'Crew', '3', '1', '3'],
        ['3', 'Delta', 'Duo', '2', '1', '0'],
        ['4', 'Gamma', 'Band', '2', '1', '0'],
      ]);
      expect(tableRows(section(html, 'plays-per-day'))).toEqual([
        ['Mon 5 Nov 2018', '2', '1'],
        ['Tue 6 Nov 2018', '5', '2'],
        ['Sat 10 Nov 2018', '4', '2'],
      ]);
      expect(tableRows(section(html, 'plays-by-hour'))).toEqual([
        ['07:00–08:00', '4'],
        ['21:00–22:00', '7'],
      ]);
      expect(tableRows(section(html, 'plays-by-weekday'))).toEqual([
        ['Monday', '2'],
        ['Tuesday', '5'],
        ['Saturday', '4'],
      ]);
      expect(tableRows(section(html, 'level-changes'))).toEqual([
        ['free → paid', '3', '2'],
        ['paid → free', '1', '1'],
      ]);
      expect(html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d|GMT|Coordinated Universal Time/);
    });

    it('charts every hour and weekday, the ones without plays too, and every day of the period', () => {
      const hours = section(html, 'plays-by-hour');
      expect((hours.match(/aria-roledescription="bar"/g) ?? []).length).toBe(24);
      expect((section(html, 'plays-by-weekday').match(/aria-roledescription="bar"/g) ?? []).length).toBe(7);
      expect((section(html, 'plays-per-day').match(/aria-roledescription="point"/g) ?? []).length).toBe(6); // 5 to 10 Nov
    });

    it('says when it was made and from what, and needs no network', () => {
      expect(html).toContain('Generated Fri 2 Jan 2026, 03:04 UTC. Built from a warehouse holding songplays 11, users 4, songs 2, artists 2, time 11 rows.');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|@import|url\(\s*['"]?https?:/);
    });
  });

  describe('escaping', () => {
    it('writes the data as text, never as markup', async () => {
      await shared.load({
        dataDir: dataDir([song({ title: 'Alpha <b>', artist_name: 'Band & Co', duration: 100 })], [play({ song: 'Alpha <b>', artist: 'Band & Co', length: 100 })]),
      });
      const html = await buildReport(localReader(shared.engine().db));
      expect(html).toContain('Alpha &lt;b&gt;');
      expect(html).toContain('Band &amp; Co');
      expect(html).not.toContain('Alpha <b>');
    });
  });

  describe.runIf(present)('on the real 2018-11 sample', () => {
    let html = '';

    beforeAll(async () => {
      await shared.load({ dataDir: UDACITY_SAMPLE });
      html = await buildReport(localReader(shared.engine().db), GENERATED_AT);
    });

    it("shows You're The One by Dwight Yoakam as the most played song and Coldplay among the top artists, beside the match rate", () => {
      const headline = tiles(html);
      expect(headline).toContainEqual(['Plays', '6,820', 'by 96 users']);
      expect(headline).toContainEqual(['Users', '97', '22 paid now']);
      expect(headline).toContainEqual(['Matched to catalogue', '1 of 6,820', 'plays (0.015%)']);
      expect(headline).toContainEqual(['Most played song', "You're The One", 'Dwight Yoakam, 37 plays']);
      expect(headline).toContainEqual(['Period (UTC)', '1–30 Nov 2018', '30 days with plays']);
      expect(html).toContain('1 of 6,820 plays (0.015%) matched a song of the catalogue');
      expect(tableRows(section(html, 'top-songs'))[0]).toEqual(['1', "You're The One", 'Dwight Yoakam', '37', '22', '0']);
      expect(tableRows(section(html, 'top-artists')).map((row) => row[1])).toContain('Coldplay');
    });

    it('folds the long tables, writes thousands with separators, and repairs the logged names’ broken encoding', () => {
      expect(section(html, 'session-lengths')).toMatch(/<details class="rows"><summary>All 70 rows<\/summary><table>/);
      expect(section(html, 'plays-per-day')).toMatch(/<details class="rows"><summary>All 30 rows<\/summary>/);
      expect(section(html, 'top-songs')).not.toContain('<details class="rows">');
      expect(tableRows(section(html, 'free-vs-paid'))).toEqual([
        ['free', '1,229', '75'],
        ['paid', '5,591', '22'],
      ]);
      expect(tableRows(section(html, 'top-artists')).map((row) => row[1])).toContain('Björk');
      expect(html).not.toContain('\u0083');
    });
  });
});

describe.runIf(ENGINES.includes('postgres'))('the analytics report on native Postgres', () => {
  const shared = sharedWarehouse('postgres');

  it('says nothing is loaded yet in a database without the tables', async () => {
    expect(await buildReport(localReader(shared.engine().db), GENERATED_AT)).toContain('<h2>Nothing loaded yet</h2>');
  });

  it('gives the hand-made sample the same headline and tables as PGlite', async () => {
    await shared.load({ dataDir: handMadeSample() });
    const html = await buildReport(localReader(shared.engine().db), GENERATED_AT);
    expect(tiles(html)).toEqual(HAND_MADE_HEADLINE);
    expect(tableRows(section(html, 'plays-per-day'))).toEqual([
      ['Mon 5 Nov 2018', '2', '1'],
      ['Tue 6 Nov 2018', '5', '2'],
      ['Sat 10 Nov 2018', '4', '2'],
    ]);
  });
});

describe('npm run report', () => {
  it('writes report.html from a local warehouse folder', { timeout: 120_000 }, async () => {
    const work = tempDir();
    const data = dataDir([song()], [play()]);
    expect((await runCli('local.ts', ['--data', data, '--db', path.join(work, 'db')])).code).toBe(0);
    const run = await runCli('report.ts', ['--db', path.join(work, 'db'), '--out', path.join(work, 'out')]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(path.join(work, 'out', 'report.html'), 'utf8')).toContain('id="headline"');
  });

  it('says nothing is loaded yet where there is no warehouse, and creates none', async () => {
    const work = tempDir();
    const run = await runCli('report.ts', ['--db', path.join(work, 'db'), '--out', path.join(work, 'out')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('No warehouse at');
    expect(readFileSync(path.join(work, 'out', 'report.html'), 'utf8')).toContain('Nothing loaded yet');
    expect(existsSync(path.join(work, 'db'))).toBe(false);
  });
});
