-- Data-quality checks, run after every load, over the whole warehouse. The name after
-- "check:" is what a failure reports. Each check returns one row per offending key, the
-- first five in key order: failures, the number of offending rows in all (the same on
-- every row), and offender, that row's key as text. No row means the check passed.
-- Counting and numbering happen before the first five are kept, so failures counts all.

-- check: keys_unique_not_null
-- Every dimension's key and songplay_id: an offender is a key held more than once, or
-- NULL; failures counts the rows beyond the first of a key (every row of a NULL key).
SELECT failures, offender
FROM (
    SELECT
        SUM(extra_rows) OVER () AS failures,
        offender,
        ROW_NUMBER() OVER (ORDER BY offender) AS offender_number
    FROM (
        SELECT
            'songplays.songplay_id ' || COALESCE(CAST(songplay_id AS VARCHAR(32)), 'NULL') AS offender,
            COUNT(*) - CASE WHEN songplay_id IS NULL THEN 0 ELSE 1 END AS extra_rows
        FROM songplays
        GROUP BY songplay_id
        HAVING COUNT(*) > 1 OR songplay_id IS NULL
        UNION ALL
        SELECT
            'users.user_id ' || COALESCE(CAST(user_id AS VARCHAR(32)), 'NULL'),
            COUNT(*) - CASE WHEN user_id IS NULL THEN 0 ELSE 1 END
        FROM users
        GROUP BY user_id
        HAVING COUNT(*) > 1 OR user_id IS NULL
        UNION ALL
        SELECT
            'songs.song_id ' || COALESCE(song_id, 'NULL'),
            COUNT(*) - CASE WHEN song_id IS NULL THEN 0 ELSE 1 END
        FROM songs
        GROUP BY song_id
        HAVING COUNT(*) > 1 OR song_id IS NULL
        UNION ALL
        SELECT
            'artists.artist_id ' || COALESCE(artist_id, 'NULL'),
            COUNT(*) - CASE WHEN artist_id IS NULL THEN 0 ELSE 1 END
        FROM artists
        GROUP BY artist_id
        HAVING COUNT(*) > 1 OR artist_id IS NULL
        UNION ALL
        SELECT
            'time.start_time ' || COALESCE(CAST(start_time AS VARCHAR(32)), 'NULL'),
            COUNT(*) - CASE WHEN start_time IS NULL THEN 0 ELSE 1 END
        FROM time
        GROUP BY start_time
        HAVING COUNT(*) > 1 OR start_time IS NULL
    ) AS repeated_keys
) AS offenders
WHERE offender_number <= 5;

-- check: songplays_user_in_users
-- An offender is a play, named by its natural key.
SELECT failures, offender
FROM (
    SELECT
        COUNT(*) OVER () AS failures,
        'user_id ' || COALESCE(CAST(songplays.user_id AS VARCHAR(32)), 'NULL')
        || ' session_id ' || COALESCE(CAST(songplays.session_id AS VARCHAR(32)), 'NULL')
        || ' item_in_session ' || COALESCE(CAST(songplays.item_in_session AS VARCHAR(32)), 'NULL') AS offender,
        ROW_NUMBER() OVER (
            ORDER BY songplays.user_id, songplays.session_id, songplays.item_in_session
        ) AS offender_number
    FROM songplays
    LEFT JOIN users ON songplays.user_id = users.user_id
    WHERE users.user_id IS NULL
) AS offenders
WHERE offender_number <= 5;

-- check: songplays_start_time_in_time
SELECT failures, offender
FROM (
    SELECT
        COUNT(*) OVER () AS failures,
        'start_time ' || CAST(songplays.start_time AS VARCHAR(32)) AS offender,
        ROW_NUMBER() OVER (ORDER BY songplays.start_time) AS offender_number
    FROM songplays
    LEFT JOIN time ON songplays.start_time = time.start_time
    WHERE time.start_time IS NULL
) AS offenders
WHERE offender_number <= 5;

-- check: songplays_natural_key_unique
-- An offender is a natural key more than one play holds; failures counts those keys.
SELECT failures, offender
FROM (
    SELECT
        COUNT(*) OVER () AS failures,
        'user_id ' || COALESCE(CAST(user_id AS VARCHAR(32)), 'NULL')
        || ' session_id ' || COALESCE(CAST(session_id AS VARCHAR(32)), 'NULL')
        || ' item_in_session ' || COALESCE(CAST(item_in_session AS VARCHAR(32)), 'NULL') AS offender,
        ROW_NUMBER() OVER (ORDER BY user_id, session_id, item_in_session) AS offender_number
    FROM songplays
    GROUP BY user_id, session_id, item_in_session
    HAVING COUNT(*) > 1
) AS offenders
WHERE offender_number <= 5;

-- check: staged_events_ts_in_range
-- Every event of this load has a ts the star schema can hold (see sql/05_transform.sql):
-- COPY loads any BIGINT, so on Redshift this check is where such an event stops the load.
SELECT failures, offender
FROM (
    SELECT
        COUNT(*) OVER () AS failures,
        'user_id ' || COALESCE(user_id, 'NULL')
        || ' session_id ' || COALESCE(CAST(session_id AS VARCHAR(32)), 'NULL')
        || ' item_in_session ' || COALESCE(CAST(item_in_session AS VARCHAR(32)), 'NULL')
        || ' ts ' || CAST(ts AS VARCHAR(32)) AS offender,
        ROW_NUMBER() OVER (ORDER BY user_id, session_id, item_in_session, ts) AS offender_number
    FROM staging_events
    WHERE ts NOT BETWEEN -210863520000000 AND 971890963199999
) AS offenders
WHERE offender_number <= 5;

-- check: staged_plays_in_songplays
-- Every NextSong event of this load has its songplay (none lost by the transform), its
-- userId read as the transform reads it. Only the events without one are made distinct:
-- distinct first, every staged play would be (613k at 800k events, twice the time).
SELECT failures, offender
FROM (
    SELECT
        COUNT(*) OVER () AS failures,
        'user_id ' || COALESCE(staged_plays.user_id, 'NULL')
        || ' session_id ' || COALESCE(CAST(staged_plays.session_id AS VARCHAR(32)), 'NULL')
        || ' item_in_session ' || COALESCE(CAST(staged_plays.item_in_session AS VARCHAR(32)), 'NULL') AS offender,
        ROW_NUMBER() OVER (
            ORDER BY staged_plays.user_id, staged_plays.session_id, staged_plays.item_in_session
        ) AS offender_number
    FROM (
        SELECT DISTINCT user_id, session_id, item_in_session
        FROM staging_events
        WHERE page = 'NextSong'
            AND NOT EXISTS (
                SELECT 1
                FROM songplays
                WHERE songplays.user_id = CASE WHEN staging_events.user_id ~ '^0*[0-9]{1,9}$' THEN CAST(staging_events.user_id AS INTEGER) END
                    AND songplays.session_id = staging_events.session_id
                    AND songplays.item_in_session = staging_events.item_in_session
            )
    ) AS staged_plays
) AS offenders
WHERE offender_number <= 5;
