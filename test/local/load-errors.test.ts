import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TooManyRejectsError } from '../../src/local/local-copy';
import { STORABLE_EPOCH_MS } from '../../src/local/staging-columns';
import { dataDir, play, song, tempDir, writeTree } from '../helpers/fixtures';
import { ENGINES } from '../helpers/engines';
import { sharedWarehouse } from '../helpers/warehouse';


const HOLDS = 'a time the warehouse holds (4713-01-01 BC to 32767-12-31 23:59:59.999 UTC)';

describe.each(ENGINES)('on %s', (engine) => {
  const shared = sharedWarehouse(engine);

  describe('records that do not fit their columns are rejected', () => {
    it.each([
      ['ts not a number', { ts: 'yesterday' }, 'ts is not a whole number: "yesterday"'],
      ['ts missing', { ts: undefined }, 'ts is required but missing'],
      ['itemInSession a fraction', { itemInSession: 1.5 }, 'item_in_session is not a whole number: 1.5'],
      ['sessionId out of INTEGER range', { sessionId: 2 ** 31 }, 'session_id is out of range for integer: 2147483648'],
      ['length not a number', { length: 'long' }, 'length is not a number: "long"'],
      ['status an object', { status: { code: 200 } }, 'status is not a whole number: {"code":200}'],
      ['page an array', { page: ['NextSong'] }, 'page is not a string: ["NextSong"]'],
      ['gender longer than its column', { gender: 'x'.repeat(9) }, 'gender is longer than 8 bytes'],
      ['ts before 4713 BC (timestamp out of range)', { ts: -3e14 }, `ts is not ${HOLDS}: -300000000000000`],
      ['ts past the INTERVAL range', { ts: 9e18 }, `ts is not ${HOLDS}: 9000000000000000000`],
      ['ts in a year past SMALLINT', { ts: 2 ** 52 }, `ts is not ${HOLDS}: 4503599627370496`],
      ['ts of 2^53 + 1', { ts: 2 ** 53 + 1 }, `ts is not ${HOLDS}: 9007199254740992`],
      ['registration past 2^53, which a JSON number cannot hold exactly', { registration: 2 ** 60 }, 'registration is too large a number to read exactly (2^53 or more; write it as a string): 1152921504606847000'],
    ])('%s', async (_case, fields, reason) => {
      const bad = play({ itemInSession: 1, ...fields });
      const dir = dataDir([], [play(), bad]);
      const error = await shared.load({ dataDir: dir }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TooManyRejectsError);
      expect((error as TooManyRejectsError).rejects).toEqual([
        { file: path.join(dir, 'log_data/2018/11/2018-11-01-events.json'), line: 2, reason },
      ]);
      expect((error as Error).message).toContain(`2018-11-01-events.json:2: ${reason}`);
    });

    it('accepts what COPY would: numeric strings for numbers, integral floats, unknown extra keys', async () => {
      const events = [play({ ts: '1541000000123', sessionId: '5', registration: 1540919166796.0, extra: { deep: [1] } })];
      const { report, rows } = await shared.load({ dataDir: dataDir([], events) });
      expect(report.rejected).toBe(0);
      expect(await rows('SELECT ts, session_id, registration FROM staging_events')).toEqual([
        { ts: 1541000000123, session_id: 5, registration: 1540919166796 },
      ]);
    });

    it('loads a ts at either end of the times the warehouse holds, into the year time.year can hold', async () => {
      const [earliest, latest] = STORABLE_EPOCH_MS;
      const { report, rows } = await shared.load({
        dataDir: dataDir([], [play({ ts: Number(earliest) }), play({ ts: Number(latest), itemInSession: 1 })]),
      });
      expect(report.tables.songplays).toBe(2);
      // Postgres counts 4713 BC as year -4713 (there is no year 0).
      expect(await rows('SELECT year, month, day FROM time ORDER BY start_time')).toEqual([
        { year: -4713, month: 1, day: 1 },
        { year: 32767, month: 12, day: 31 },
      ]);
    });

    it('rejects a ts one millisecond outside either end', async () => {
      const [earliest, latest] = STORABLE_EPOCH_MS;
      const events = [play({ ts: Number(earliest) - 1 }), play({ ts: Number(latest) + 1, itemInSession: 1 }), play({ itemInSession: 2 })];
      const { report } = await shared.load({ dataDir: dataDir([], events), maxErrors: 2 });
      expect(report.rejects.map((reject) => reject.line)).toEqual([1, 2]);
      expect(report.tables.songplays).toBe(1);
    });

    it('rejects a song without a song_id (NOT NULL)', async () => {
      const error = await shared.load({ dataDir: dataDir([song({ song_id: null })], []) }).catch((caught: unknown) => caught);
      expect((error as TooManyRejectsError).rejects[0].reason).toBe('song_id is required but missing');
    });
  });

  describe('--max-errors (MAXERROR)', () => {
    const events = [play(), play({ ts: 'x', itemInSession: 1 }), play({ itemInSession: 2 }), '{"broken": ', play({ itemInSession: 3 })];
    const withTwoRejects = () =>
      writeTree(tempDir(), {
        'song_data/.keep.txt': '',
        'log_data/day.json': events.map((event) => (typeof event === 'string' ? event : JSON.stringify(event))).join('\n'),
      });

    it('loads the good records and counts the rejects when they are at most N', async () => {
      const { report } = await shared.load({ dataDir: withTwoRejects(), maxErrors: 2 });
      expect(report.rejected).toBe(2);
      expect(report.tables.staging_events).toBe(3);
      expect(report.rejects.map((reject) => [reject.line, reject.reason])).toEqual([
        [2, 'ts is not a whole number: "x"'],
        [4, 'truncated record: a new object starts before it closes'],
      ]);
    });

    it('keeps every reject, not only the first few, each with its file and line', async () => {
      const bad = Array.from({ length: 7 }, (_, index) => play({ ts: 9e18, itemInSession: index + 1 }));
      const dir = dataDir([], [play(), ...bad]);
      const { report } = await shared.load({ dataDir: dir, maxErrors: 10 });
      expect(report.rejected).toBe(7);
      expect(report.rejects.map((reject) => `${path.relative(dir, reject.file)}:${reject.line}`)).toEqual(
        [2, 3, 4, 5, 6, 7, 8].map((line) => `log_data/2018/11/2018-11-01-events.json:${line}`),
      );
      expect(report.tables.songplays).toBe(1);
    });

    it('fails with more than N and leaves the warehouse exactly as it was', async () => {
      const data = dataDir([song()], [play(), play({ itemInSession: 1 })]);
      const good = await shared.load({ dataDir: data });
      const snapshot = await good.rows('SELECT * FROM songplays ORDER BY songplay_id');
      // A later day of the same source (a warehouse takes files from one source only), with two rejects.
      writeTree(data, { 'log_data/day.json': events.map((event) => (typeof event === 'string' ? event : JSON.stringify(event))).join('\n') });
      const error = await shared.load({ dataDir: data, maxErrors: 1, incremental: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TooManyRejectsError);
      expect((error as Error).message).toMatch(/MAXERROR 1/);
      const counts = await good.rows<Record<string, number>>(
        'SELECT (SELECT COUNT(*) FROM staging_events) AS events, (SELECT COUNT(*) FROM staging_songs) AS songs',
      );
      expect(counts).toEqual([{ events: 2, songs: 1 }]);
      expect(await good.rows('SELECT * FROM songplays ORDER BY songplay_id')).toEqual(snapshot);
      expect(await good.rows('SELECT COUNT(*) AS files FROM load_manifest')).toEqual([{ files: 2 }]);
    });
  });
});
