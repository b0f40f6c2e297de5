import { describe, expect, it } from 'vitest';
import { OutdatedWarehouseError } from '../../src/local/outdated-tables';
import { dataDir, play, song } from '../helpers/fixtures';
import { ENGINES } from '../helpers/engines';
import { warehouseSnapshot } from '../helpers/snapshot';
import { sharedWarehouse } from '../helpers/warehouse';

describe.each(ENGINES)('a warehouse an earlier version made, on %s', (engine) => {
  const shared = sharedWarehouse(engine);

  it('is refused by an incremental load, naming the columns it lacks, and rebuilt by --reset', async () => {
    const dir = dataDir([song()], [play()]);
    await shared.load({ dataDir: dir });
    const db = shared.engine().db;
    // What the tables of an earlier sql/ looked like: CREATE TABLE IF NOT EXISTS would keep them so.
    await db.query('ALTER TABLE songplays DROP COLUMN song_length');
    await db.query('ALTER TABLE users DROP COLUMN level_session_id');
    await db.query('ALTER TABLE users DROP COLUMN level_item_in_session');
    const before = await db.query('SELECT * FROM users');

    const error = await shared.load({ dataDir: dir, incremental: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutdatedWarehouseError);
    expect((error as OutdatedWarehouseError).missing).toEqual([
      { table: 'users', column: 'level_session_id' },
      { table: 'users', column: 'level_item_in_session' },
      { table: 'songplays', column: 'song_length' },
    ]);
    expect((error as Error).message).toContain('users lacks level_session_id, level_item_in_session; songplays lacks song_length');
    expect((error as Error).message).toContain('--reset');
    expect(await db.query('SELECT * FROM users')).toEqual(before);

    const rebuilt = await shared.load({ dataDir: dir });
    expect(rebuilt.report.tables.songplays).toBe(1);
    expect((await warehouseSnapshot(db)).songplays).toEqual([expect.objectContaining({ song_length: 200.5 })]);
  });
});
