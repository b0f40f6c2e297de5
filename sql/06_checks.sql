-- Data-quality checks, run after every load, over the whole warehouse. Each one is a query returning one row with
-- a single column, failures: the number of offending rows (0 means the check passed).
-- The name after "check:" is what a failure reports.
-- COUNT(*) - COUNT(DISTINCT key) counts both duplicate and NULL keys.

-- check: songplays_key_unique_not_null
SELECT COUNT(*) - COUNT(DISTINCT songplay_id) AS failures FROM songplays;

-- check: users_key_unique_not_null
SELECT COUNT(*) - COUNT(DISTINCT user_id) AS failures FROM users;

-- check: songs_key_unique_not_null
SELECT COUNT(*) - COUNT(DISTINCT song_id) AS failures FROM songs;

-- check: artists_key_unique_not_null
SELECT COUNT(*) - COUNT(DISTINCT artist_id) AS failures FROM artists;

-- check: time_key_unique_not_null
SELECT COUNT(*) - COUNT(DISTINCT start_time) AS failures FROM time;

-- check: songplays_user_in_users
SELECT COUNT(*) AS failures
FROM songplays
LEFT JOIN users ON songplays.user_id = users.user_id
WHERE users.user_id IS NULL;

-- check: songplays_start_time_in_time
SELECT COUNT(*) AS failures
FROM songplays
LEFT JOIN time ON songplays.start_time = time.start_time
WHERE time.start_time IS NULL;

-- check: songplays_natural_key_unique
SELECT COUNT(*) AS failures
FROM (
    SELECT user_id, session_id, item_in_session
    FROM songplays
    GROUP BY user_id, session_id, item_in_session
    HAVING COUNT(*) > 1
) AS repeated_plays;

-- check: staged_plays_in_songplays
-- Every NextSong event of this load has its songplay (none lost by the transform).
SELECT COUNT(*) AS failures
FROM (
    SELECT DISTINCT user_id, session_id, item_in_session
    FROM staging_events
    WHERE page = 'NextSong'
) AS staged_plays
LEFT JOIN songplays
    ON CAST(songplays.user_id AS VARCHAR(32)) = staged_plays.user_id
    AND songplays.session_id = staged_plays.session_id
    AND songplays.item_in_session = staged_plays.item_in_session
WHERE songplays.songplay_id IS NULL;
