import type { LocalDatabase } from '../../src/local/database';

/**
 * Every row of the star schema and the manifest, in a stable order, without the values a
 * load assigns itself (songplay_id, loaded_at): two warehouses holding the same data
 * have equal snapshots.
 */
export async function warehouseSnapshot(db: LocalDatabase): Promise<Record<string, unknown[]>> {
  const queries: Record<string, string> = {
    songplays:
      'SELECT start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent, song_title, artist_name, song_length ' +
      'FROM songplays ORDER BY user_id, session_id, item_in_session',
    users: 'SELECT * FROM users ORDER BY user_id',
    songs: 'SELECT * FROM songs ORDER BY song_id',
    artists: 'SELECT * FROM artists ORDER BY artist_id',
    time: 'SELECT * FROM time ORDER BY start_time',
    manifest: 'SELECT file_key, size_bytes, content_hash, rows_loaded FROM load_manifest ORDER BY file_key',
  };
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(queries)) snapshot[name] = await db.query(sql);
  return snapshot;
}
