import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE } from '../../src/generate/sample';
import { ENGINES } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { warehouseSnapshot } from '../helpers/snapshot';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';
import { sharedWarehouse } from '../helpers/warehouse';

/** A data folder holding `sourceDir`'s JSONPaths file and only the given kinds of its files (the others empty). */
function dataWith(sourceDir: string, kinds: readonly ('song_data' | 'log_data')[], dir = tempDir()): string {
  cpSync(path.join(sourceDir, 'log_json_path.json'), path.join(dir, 'log_json_path.json'));
  for (const kind of ['song_data', 'log_data'] as const) {
    if (kinds.includes(kind)) cpSync(path.join(sourceDir, kind), path.join(dir, kind), { recursive: true });
    else mkdirSync(path.join(dir, kind), { recursive: true });
  }
  return dir;
}

const options: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 12, days: 4, songs: 30, events: 600, matchRate: 0.5 };
const generated = generatedDays(options, { ties: true });

/** The one row of a snapshot's table whose columns hold these values. */
function rowOf(rows: unknown[], values: Record<string, unknown>): Record<string, unknown> {
  const found = (rows as Record<string, unknown>[]).filter((row) => Object.entries(values).every(([column, value]) => row[column] === value));
  expect(found, JSON.stringify(values)).toHaveLength(1);
  return found[0];
}

describe.each(ENGINES)('loading in any order gives the warehouse a clean load gives, on %s', (engine) => {
  const shared = sharedWarehouse(engine);

  it.runIf(udacitySamplePresent('logs before songs on the real sample'))('the real sample: logs first, songs in a later load', async () => {
    const clean = await shared.load({ dataDir: UDACITY_SAMPLE });
    const expected = await warehouseSnapshot(shared.engine().db);
    expect(clean.report.matchedSongplays).toBe(1);

    const dir = dataWith(UDACITY_SAMPLE, ['log_data']);
    await shared.load({ dataDir: dir });
    dataWith(UDACITY_SAMPLE, ['song_data'], dir);
    const late = await shared.load({ dataDir: dir, incremental: true });
    expect(late.report.matchedSongplays).toBe(1);
    expect(await warehouseSnapshot(shared.engine().db)).toEqual(expected);
  });

  it('a clean load of copies that tie or repeat keeps the copy each order ranks first', async () => {
    await shared.load({ dataDir: generated.dataWithDays([0, 1, 2, 3]) });
    const clean = await warehouseSnapshot(shared.engine().db);
    const { user, play, song, higherSong, twinnedSong, lowerSong, renamedArtistSong } = generated.planted();
    const userId = Number(user.userId);
    // The user's four events share its latest ts: the highest item wins, then level (paid after free).
    expect(rowOf(clean.users, { user_id: userId })).toMatchObject({ last_name: 'TieD', level: 'paid', level_ts: user.ts, level_item_in_session: 3 });
    // Its play at item 3 is there twice at one ts: the first level (free) wins.
    expect(rowOf(clean.songplays, { user_id: userId, session_id: user.sessionId, item_in_session: 3 })).toMatchObject({ level: 'free' });
    // The repeated play: the earliest ts, then the first location.
    expect(rowOf(clean.songplays, { user_id: Number(play.userId), session_id: play.sessionId, item_in_session: play.itemInSession })).toMatchObject({
      start_time: new Date(play.ts - 3_000),
      location: 'Tie A, XX',
    });
    // The song in three copies: the shortest wins, so its catalogue copy's plays match the other song that agrees with them.
    expect(rowOf(clean.songs, { song_id: song.song_id })).toMatchObject({ duration: song.duration - 1 });
    const logged = (title: string, artist: string, length: number) =>
      (clean.songplays as Record<string, unknown>[]).filter((row) => row.song_title === title && row.artist_name === artist && row.song_length === length);
    expect(new Set(logged(song.title, song.artist_name, song.duration).map((row) => row.song_id))).toEqual(new Set([higherSong.song_id]));
    // Two songs agree with a play: the lower song_id.
    expect(new Set(logged(twinnedSong.title, twinnedSong.artist_name, twinnedSong.duration).map((row) => row.song_id))).toEqual(
      new Set([lowerSong.song_id]),
    );
    // The artist in two copies: the first name wins, so only the play logging it matches the artist's song.
    const renamed = `0${renamedArtistSong.artist_name}`;
    expect(rowOf(clean.artists, { artist_id: renamedArtistSong.artist_id })).toMatchObject({ name: renamed });
    expect(new Set(logged(renamedArtistSong.title, renamed, renamedArtistSong.duration).map((row) => row.song_id))).toEqual(
      new Set([renamedArtistSong.song_id]),
    );
    expect(logged(renamedArtistSong.title, renamedArtistSong.artist_name, renamedArtistSong.duration).map((row) => row.song_id)).not.toContain(
      renamedArtistSong.song_id,
    );
  });

  it('generated days with ties and repeats, in any order and split into any loads, with each song delivery in any of them', async () => {
    const everything = generated.dataWithDays([0, 1, 2, 3]);
    await shared.load({ dataDir: everything });
    const expected = await warehouseSnapshot(shared.engine().db);
    expect(expected.songplays.some((row) => (row as { song_id: string | null }).song_id !== null)).toBe(true);

    const loads = fc
      .tuple(fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
      .chain(([order, cuts]) => {
        const groups: number[][] = [[order[0]]];
        order.slice(1).forEach((day, index) => (cuts[index] ? groups.push([day]) : groups[groups.length - 1].push(day)));
        const deliveryLoads = fc.array(fc.integer({ min: 0, max: groups.length }), {
          minLength: generated.songDeliveries,
          maxLength: generated.songDeliveries,
        });
        return fc.tuple(fc.constant(groups), deliveryLoads);
      });
    await fc.assert(
      fc.asyncProperty(loads, async ([groups, deliveryLoads]) => {
        const dir = dataWith(everything, []);
        for (let index = 0; index <= groups.length; index += 1) {
          const deliveries = deliveryLoads.flatMap((load, delivery) => (load === index ? [delivery] : []));
          if (index === groups.length && deliveries.length === 0) break;
          for (const delivery of deliveries) generated.addSongs(dir, delivery);
          for (const day of groups[index] ?? []) generated.addDay(dir, day);
          await shared.load({ dataDir: dir, incremental: index > 0 });
        }
        expect(await warehouseSnapshot(shared.engine().db)).toEqual(expected);
      }),
      {
        numRuns: 8,
        seed: 20_261_215,
        // Also, always: the song the plays match changes in a later load (song file 1 at
        // load 3) than the other song that agrees with them (song file 2): they move to it.
        examples: [[[[[0], [1], [2], [3]], [0, 3, 0, 4]]]],
      },
    );
  });
});
