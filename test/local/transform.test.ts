import { describe, expect, it } from 'vitest';
import { ChecksFailedError, localCopySource } from '../../src/local/runner';
import { STORABLE_EPOCH_MS } from '../../src/local/staging-columns';
import { buildLoadPlan } from '../../src/sql/plan';
import { adaptForPostgres } from '../../src/sql/postgres';
import { readSqlFiles } from '../../src/sql/sql-files';
import { dataDir, play, song, writeTree } from '../helpers/fixtures';
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
      expect(failed.map((check) => [check.name, check.failures, check.offenders])).toEqual([
        ['songplays_user_in_users', 1, ['user_id NULL session_id 1 item_in_session 1']],
        ['staged_plays_in_songplays', 1, ['user_id guest session_id 1 item_in_session 1']],
      ]);
      expect((error as ChecksFailedError).report.tables.users).toBe(1);
      expect((error as Error).message).toContain('songplays_user_in_users (1 rows: user_id NULL session_id 1 item_in_session 1)');
    });

    it('a failed check names its first five offenders and counts them all, a play staged twice once', async () => {
      const guests = Array.from({ length: 7 }, (_, index) => play({ userId: `guest${index}`, itemInSession: index }));
      const error = await warehouse([], [...guests, guests[3]]).catch((caught: unknown) => caught);
      const check = (error as ChecksFailedError).report.checks.find((each) => each.name === 'staged_plays_in_songplays');
      expect(check?.failures).toBe(7);
      expect(check?.offenders).toEqual([0, 1, 2, 3, 4].map((index) => `user_id guest${index} session_id 1 item_in_session ${index}`));
      expect((error as Error).message).toContain(`item_in_session 4, …)`);
    });

    it("users: a userId is a number, so '007' and '7' are the same user 7 and the same play", async () => {
      const w = await warehouse(
        [],
        [
          play({ userId: '007', sessionId: 3, itemInSession: 1, ts: 1_541_000_000_000 }),
          play({ userId: '7', sessionId: 3, itemInSession: 1, ts: 1_541_000_001_000 }),
          play({ userId: '07', sessionId: 3, itemInSession: 2, lastName: 'Latest', ts: 1_541_000_002_000 }),
        ],
      );
      expect(await w.rows('SELECT user_id, last_name FROM users')).toEqual([{ user_id: 7, last_name: 'Latest' }]);
      expect(await w.rows('SELECT user_id, item_in_session, start_time FROM songplays ORDER BY item_in_session')).toEqual([
        { user_id: 7, item_in_session: 1, start_time: new Date(1_541_000_000_000) },
        { user_id: 7, item_in_session: 2, start_time: new Date(1_541_000_002_000) },
      ]);
      expect(w.report.checks.every((check) => check.ok)).toBe(true);
    });

    it('songplays: a song loaded after its plays matches them, and a lower song_id that agrees later takes over', async () => {
      const logged = { song: 'Late', artist: 'Band', length: 123.25 };
      const dir = dataDir([], [play({ ...logged, itemInSession: 1 }), play({ ...logged, length: 99, itemInSession: 2 })]);
      await shared.load({ dataDir: dir });
      const late = { title: 'Late', artist_name: 'Band', duration: 123.25 };
      writeTree(dir, { 'song_data/SOZ.json': [song({ ...late, song_id: 'SOZ', artist_id: 'ARZ' })] });
      const afterSongs = await shared.load({ dataDir: dir, incremental: true });
      expect(afterSongs.report.matchedSongplays).toBe(1);
      writeTree(dir, { 'song_data/SOA.json': [song({ ...late, song_id: 'SOA', artist_id: 'ARA' })] });
      const lower = await shared.load({ dataDir: dir, incremental: true });
      expect(await lower.rows('SELECT item_in_session, song_id, artist_id FROM songplays ORDER BY item_in_session')).toEqual([
        { item_in_session: 1, song_id: 'SOA', artist_id: 'ARA' },
        { item_in_session: 2, song_id: null, artist_id: null },
      ]);
    });
  });

  describe('the Redshift SQL where COPY lets any BIGINT ts through', () => {
    /** Stages events straight into staging_events (as Redshift's COPY would), runs the transform and the checks. */
    async function transformStaged(values: string[]) {
      const db = shared.engine().db;
      await shared.load({ dataDir: dataDir([], []) });
      const plan = buildLoadPlan(readSqlFiles(), localCopySource(0), 'incremental');
      await db.query(`INSERT INTO staging_events (page, user_id, session_id, item_in_session, ts) VALUES ${values.join(', ')}`);
      for (const statement of plan.filter((each) => each.kind === 'transform')) await db.query(adaptForPostgres(statement.sql));
      const check = plan.find((each) => each.checkName === 'staged_events_ts_in_range');
      return { db, offenders: await db.query(adaptForPostgres(check?.sql ?? '')) };
    }

    it('leaves out a ts the star schema cannot hold, and staged_events_ts_in_range names it by key', async () => {
      const [earliest, latest] = STORABLE_EPOCH_MS;
      const { db, offenders } = await transformStaged([
        `('NextSong', '1', 1, 0, ${earliest})`,
        `('NextSong', '1', 1, 1, ${latest})`,
        `('NextSong', '1', 1, 2, ${earliest - 1n})`,
        `('NextSong', '1', 1, 3, ${latest + 1n})`,
        `('NextSong', '1', 1, 4, 9000000000000000000)`,
      ]);
      expect(await db.query('SELECT item_in_session FROM songplays ORDER BY item_in_session')).toEqual([{ item_in_session: 0 }, { item_in_session: 1 }]);
      expect(offenders).toEqual([
        { failures: 3, offender: `user_id 1 session_id 1 item_in_session 2 ts ${earliest - 1n}` },
        { failures: 3, offender: `user_id 1 session_id 1 item_in_session 3 ts ${latest + 1n}` },
        { failures: 3, offender: 'user_id 1 session_id 1 item_in_session 4 ts 9000000000000000000' },
      ]);
    });
  });

  describe('transform rules, continued', () => {

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
