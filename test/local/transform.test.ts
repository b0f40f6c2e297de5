import { describe, expect, it } from 'vitest';
import { ChecksFailedError } from '../../src/local/runner';
import { dataDir, play, song } from '../helpers/fixtures';
import { ENGINES } from '../helpers/engines';
import { sharedWarehouse } from '../helpers/warehouse';


describe.each(ENGINES)('on %s', (engine) => {
  const shared = sharedWarehouse(engine);

  /** Rebuilds the warehouse from these songs and events. */
  function warehouse(songs: Record<string, unknown>[], events: Record<string, unknown>[]) {
    return shared.load({ dataDir: dataDir(songs, events) });
  }

  describe('transform rules', () => {
    it("users: the latest event's level, names and gender win, whatever the file order", async () => {
      const w = await warehouse(
        [],
        [
          play({ userId: '7', level: 'paid', lastName: 'New', ts: 1_541_000_900_000, sessionId: 2 }),
          play({ userId: '7', level: 'free', lastName: 'Old', ts: 1_541_000_100_000, sessionId: 1 }),
          play({ userId: '7', level: 'free', lastName: 'Older', ts: 1_541_000_000_000, page: 'Home', sessionId: 1, itemInSession: 1 }),
        ],
      );
      expect(await w.rows('SELECT user_id, last_name, level FROM users')).toEqual([{ user_id: 7, last_name: 'New', level: 'paid' }]);
    });

    it('users: an empty userId is no user; a non-NextSong event still makes one', async () => {
      const w = await warehouse(
        [],
        [
          play({ userId: '', page: 'Home', auth: 'Logged Out', firstName: null }),
          play({ userId: '3', page: 'Home' }),
          play({ userId: '4' }),
        ],
      );
      expect(await w.rows('SELECT user_id FROM users ORDER BY user_id')).toEqual([{ user_id: 3 }, { user_id: 4 }]);
      expect(w.report.tables.songplays).toBe(1);
    });

    it('users: a userId that is not a whole number is no user, and the check names its play', async () => {
      const error = await warehouse([], [play({ userId: '4' }), play({ userId: 'guest', itemInSession: 1 })]).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ChecksFailedError);
      const failed = (error as ChecksFailedError).report.checks.filter((check) => !check.ok);
      expect(failed.map((check) => [check.name, check.failures])).toEqual([
        ['songplays_user_in_users', 1],
        ['staged_plays_in_songplays', 1],
      ]);
      expect((error as ChecksFailedError).report.tables.users).toBe(1);
    });

    it('songplays: one row per NextSong natural key (userId, sessionId, itemInSession)', async () => {
      const twice = play({ userId: '1', sessionId: 9, itemInSession: 3 });
      const w = await warehouse(
        [],
        [twice, { ...twice }, play({ userId: '1', sessionId: 9, itemInSession: 4 }), play({ page: 'Home', itemInSession: 5 })],
      );
      expect(w.report.tables.staging_events).toBe(4);
      expect(await w.rows('SELECT session_id, item_in_session FROM songplays ORDER BY item_in_session')).toEqual([
        { session_id: 9, item_in_session: 3 },
        { session_id: 9, item_in_session: 4 },
      ]);
    });

    it('songplays: start_time keeps the milliseconds, in UTC, and time has one row per distinct one', async () => {
      const w = await warehouse([], [play({ ts: 1_541_105_830_796 }), play({ ts: 1_541_105_830_796, itemInSession: 1 })]);
      const [row] = await w.rows<{ start_time: Date }>('SELECT start_time FROM songplays LIMIT 1');
      expect(row.start_time.toISOString()).toBe('2018-11-01T20:57:10.796Z');
      expect(await w.rows('SELECT hour, day, week, month, year, weekday FROM time')).toEqual([
        { hour: 20, day: 1, week: 44, month: 11, year: 2018, weekday: 4 },
      ]);
    });

    it('songplays: a song matches only on title, artist name and duration together', async () => {
      const catalog = [
        song({ song_id: 'SO1', artist_id: 'AR1', title: 'Match', artist_name: 'Band', duration: 180.12345 }),
        song({ song_id: 'SO2', artist_id: 'AR2', title: 'Title Only', artist_name: 'Other', duration: 100 }),
      ];
      const w = await warehouse(catalog, [
        play({ song: 'Match', artist: 'Band', length: 180.12345, itemInSession: 1 }),
        play({ song: 'Match', artist: 'Band', length: 180.1, itemInSession: 2 }),
        play({ song: 'Title Only', artist: 'Band', length: 100, itemInSession: 3 }),
      ]);
      expect(await w.rows('SELECT item_in_session, song_id, artist_id FROM songplays ORDER BY item_in_session')).toEqual([
        { item_in_session: 1, song_id: 'SO1', artist_id: 'AR1' },
        { item_in_session: 2, song_id: null, artist_id: null },
        { item_in_session: 3, song_id: null, artist_id: null },
      ]);
      expect(w.report.matchedSongplays).toBe(1);
    });

    it('songplays: a play matching two catalog songs is still one play', async () => {
      const same = { title: 'Twin', artist_name: 'Band', duration: 200 };
      const w = await warehouse([song({ ...same, song_id: 'SOB' }), song({ ...same, song_id: 'SOA' })], [
        play({ song: 'Twin', artist: 'Band', length: 200 }),
      ]);
      expect(await w.rows('SELECT song_id FROM songplays')).toEqual([{ song_id: 'SOA' }]);
    });

    it('songs: year 0 becomes NULL; a repeated song_id is kept once', async () => {
      const w = await warehouse(
        [song({ song_id: 'SO1', year: 0 }), song({ song_id: 'SO2', year: 1999 }), song({ song_id: 'SO2', year: 1999 })],
        [],
      );
      expect(await w.rows('SELECT song_id, year FROM songs ORDER BY song_id')).toEqual([
        { song_id: 'SO1', year: null },
        { song_id: 'SO2', year: 1999 },
      ]);
    });

    it('artists: one row per artist_id; an empty location becomes NULL', async () => {
      const w = await warehouse(
        [
          song({ song_id: 'SO1', artist_id: 'AR1', artist_location: '' }),
          song({ song_id: 'SO2', artist_id: 'AR1', artist_location: '' }),
          song({ song_id: 'SO3', artist_id: 'AR2', artist_location: 'Oslo', artist_latitude: 59.9, artist_longitude: 10.7 }),
        ],
        [],
      );
      expect(await w.rows('SELECT artist_id, location, latitude FROM artists ORDER BY artist_id')).toEqual([
        { artist_id: 'AR1', location: null, latitude: null },
        { artist_id: 'AR2', location: 'Oslo', latitude: 59.9 },
      ]);
    });
  });
});
