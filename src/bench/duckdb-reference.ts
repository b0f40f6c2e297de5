import * as path from 'node:path';

/** What the DuckDB reference loaded: the figures the bench compares with ours, so both did the same job. */
export interface ReferenceLoad {
  readonly stagedEvents: number;
  readonly songplays: number;
  readonly users: number;
  readonly time: number;
}

/** The reference load, or why it cannot run here. */
export type ReferenceRunner = { readonly run: (dataDir: string) => Promise<ReferenceLoad> } | { readonly unavailable: string };

/** The module the reference needs: a dev dependency, absent from a production install. */
const DUCKDB_MODULE = '@duckdb/node-api';

/**
 * DuckDB doing the load's job on the same files, in memory: `read_json` of the logs and
 * songs into staging, then the star tables by the rules of sql/05_transform.sql (a
 * play is a NextSong event deduplicated on userId, sessionId and itemInSession; it
 * matches the song of the same title, artist and duration with the lowest song_id; a
 * user's level is that of their latest event; one time row per play timestamp). No
 * manifest, no checks, no rejects: a reference for the speed of the work, not a loader.
 * DuckDB is imported when the bench runs, and only a dev dependency: without it the
 * reference is unavailable, with the reason.
 */
export async function duckdbReference(): Promise<ReferenceRunner> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import(DUCKDB_MODULE);
  } catch (error) {
    return { unavailable: `${DUCKDB_MODULE} is not installed (a dev dependency; ${(error as Error).message.split('\n')[0]})` };
  }
  return {
    async run(dataDir) {
      const instance = await duckdb.DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        for (const statement of referenceSql(dataDir)) await connection.run(statement);
        const reader = await connection.runAndReadAll(
          'SELECT (SELECT COUNT(*) FROM staging_events) AS staged, (SELECT COUNT(*) FROM songplays) AS plays, (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM time) AS times',
        );
        const [staged, plays, users, times] = reader.getRows()[0].map(Number);
        return { stagedEvents: staged, songplays: plays, users, time: times };
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
  };
}

/** A path inside a DuckDB string literal. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The reference's statements, in DuckDB's dialect. */
function referenceSql(dataDir: string): string[] {
  const logs = literal(path.join(dataDir, 'log_data', '**', '*.json'));
  const songs = literal(path.join(dataDir, 'song_data', '**', '*.json'));
  const events = `{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER',
    lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', page: 'VARCHAR',
    registration: 'BIGINT', sessionId: 'INTEGER', song: 'VARCHAR', status: 'INTEGER', ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}`;
  const catalogue = `{num_songs: 'INTEGER', artist_id: 'VARCHAR', artist_name: 'VARCHAR', artist_location: 'VARCHAR',
    artist_latitude: 'DOUBLE', artist_longitude: 'DOUBLE', song_id: 'VARCHAR', title: 'VARCHAR', duration: 'DOUBLE', year: 'INTEGER'}`;
  const userNumber = `CASE WHEN regexp_full_match(userId, '0*[0-9]{1,9}') THEN CAST(userId AS INTEGER) END`;
  return [
    `CREATE TABLE staging_events AS SELECT * FROM read_json(${logs}, format = 'newline_delimited', columns = ${events})`,
    `CREATE TABLE staging_songs AS SELECT * FROM read_json(${songs}, format = 'newline_delimited', columns = ${catalogue})`,
    `CREATE TABLE users AS
       SELECT ${userNumber} AS user_id, arg_max(firstName, ts) AS first_name, arg_max(lastName, ts) AS last_name,
              arg_max(gender, ts) AS gender, arg_max(level, ts) AS level
       FROM staging_events WHERE ${userNumber} IS NOT NULL GROUP BY 1`,
    `CREATE TABLE songs AS
       SELECT song_id, arg_min(title, title) AS title, arg_min(artist_id, title) AS artist_id,
              NULLIF(arg_min(year, title), 0) AS year, arg_min(duration, title) AS duration
       FROM staging_songs GROUP BY song_id`,
    `CREATE TABLE artists AS
       SELECT artist_id, arg_min(artist_name, song_id) AS name, NULLIF(arg_min(artist_location, song_id), '') AS location,
              arg_min(artist_latitude, song_id) AS latitude, arg_min(artist_longitude, song_id) AS longitude
       FROM staging_songs GROUP BY artist_id`,
    `CREATE TABLE songplays AS
       WITH plays AS (
         SELECT *, ${userNumber} AS user_id FROM staging_events
         WHERE page = 'NextSong' AND ts BETWEEN -210863520000000 AND 971890963199999
         QUALIFY ROW_NUMBER() OVER (PARTITION BY ${userNumber}, sessionId, itemInSession ORDER BY ts) = 1
       ), matches AS (
         SELECT songs.song_id, songs.artist_id, songs.title, artists.name AS artist_name, songs.duration
         FROM songs JOIN artists ON songs.artist_id = artists.artist_id
         QUALIFY ROW_NUMBER() OVER (PARTITION BY songs.title, artists.name, songs.duration ORDER BY songs.song_id) = 1
       )
       SELECT make_timestamp(plays.ts * 1000) AS start_time, plays.user_id, plays.level, matches.song_id, matches.artist_id,
              plays.sessionId AS session_id, plays.itemInSession AS item_in_session, plays.location, plays.userAgent AS user_agent
       FROM plays LEFT JOIN matches
         ON plays.song = matches.title AND plays.artist = matches.artist_name AND plays.length = matches.duration`,
    `CREATE TABLE time AS
       SELECT DISTINCT start_time, hour(start_time) AS hour, day(start_time) AS day, week(start_time) AS week,
              month(start_time) AS month, year(start_time) AS year, dayofweek(start_time) AS weekday
       FROM songplays`,
  ];
}
