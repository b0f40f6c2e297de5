-- Staging to star schema: set-based SQL, dimensions first. Every statement is safe to
-- run again on the same or overlapping staged data: rows are upserted or inserted only
-- when missing, so repeated or out-of-order loads never duplicate anything.
-- Epoch milliseconds become a UTC TIMESTAMP with the milliseconds kept
-- (ts / 1000 in integer arithmetic would drop them). Only a ts from
-- -210863520000000 (4713-01-01 BC, Redshift's earliest TIMESTAMP) to 971890963199999
-- (32767-12-31 23:59:59.999, the last year time.year, a SMALLINT, holds) becomes a time:
-- converting any other would fail the load, so those events are left out here and the
-- check staged_events_ts_in_range names them (the local loader rejects them as records;
-- src/local/staging-columns.ts holds the same bounds; tests run both at the bounds).
-- userId is text in the logs ('' when logged out): a user id is a whole number of at
-- most 9 significant digits, leading zeros not counting ('007' is user 7), so no CAST
-- can fail; a play with any other userId keeps a NULL user and the checks report it.

-- Which copy wins. Where the staged data holds a key more than once (a user's events, a
-- play or a song delivered twice), one copy wins by a total order over every value the
-- star row takes from it: copies that tie on all of them make the same row, so a load of
-- everything at once (a clean load) has one answer. A later load ranks its staged copies
-- against the one an earlier load kept, in the same order, and replaces it only when a
-- staged copy comes strictly first: so loads in any order, split in any way, end as the
-- clean load does. Each order is written twice below, once where the earlier load's row
-- is replaced and once where the staged winner is inserted: the two copies must stay the
-- same.

-- users, step 1: forget a user whose staged latest event comes before the one we hold.
-- A user's events rank newest first: by ts, then session_id and item_in_session, then
-- level, names and gender. users keeps the winning event's ts, session_id and
-- item_in_session (level_ts, level_session_id, level_item_in_session) to rank it again.
DELETE FROM users
USING (
    SELECT
        user_id,
        from_this_load,
        ROW_NUMBER() OVER (
            PARTITION BY user_id
            ORDER BY
                ts DESC, session_id DESC, item_in_session DESC,
                level DESC, first_name DESC, last_name DESC, gender DESC,
                from_this_load ASC
        ) AS recency
    FROM (
        SELECT
            user_id,
            level_ts AS ts,
            level_session_id AS session_id,
            level_item_in_session AS item_in_session,
            level,
            first_name,
            last_name,
            gender,
            0 AS from_this_load
        FROM users
        UNION ALL
        SELECT
            CAST(user_id AS INTEGER),
            ts,
            session_id,
            item_in_session,
            level,
            first_name,
            last_name,
            gender,
            1
        FROM staging_events
        WHERE user_id ~ '^0*[0-9]{1,9}$'
    ) AS candidates
) AS newer
WHERE users.user_id = newer.user_id
    AND newer.recency = 1
    AND newer.from_this_load = 1;

-- users, step 2: every event with a non-empty userId makes a user. Names, gender and
-- level come from the user's latest event, because a user's level changes (free ->
-- paid and back).
INSERT INTO users (user_id, first_name, last_name, gender, level, level_ts, level_session_id, level_item_in_session)
SELECT ranked_users.user_id, first_name, last_name, gender, level, ts, session_id, item_in_session
FROM (
    SELECT
        CAST(user_id AS INTEGER) AS user_id,
        first_name,
        last_name,
        gender,
        level,
        ts,
        session_id,
        item_in_session,
        ROW_NUMBER() OVER (
            PARTITION BY CAST(user_id AS INTEGER)
            ORDER BY
                ts DESC, session_id DESC, item_in_session DESC,
                level DESC, first_name DESC, last_name DESC, gender DESC
        ) AS recency
    FROM staging_events
    WHERE user_id ~ '^0*[0-9]{1,9}$'
) AS ranked_users
WHERE ranked_users.recency = 1
    AND NOT EXISTS (SELECT 1 FROM users WHERE users.user_id = ranked_users.user_id);

-- songs, step 1: a song_id's copies rank by title, artist_id, year (0 is unknown: NULL)
-- and duration; a staged copy that comes first replaces the song we hold.
DELETE FROM songs
USING (
    SELECT
        song_id,
        from_this_load,
        ROW_NUMBER() OVER (
            PARTITION BY song_id
            ORDER BY title, artist_id, year, duration, from_this_load
        ) AS copy_number
    FROM (
        SELECT song_id, title, artist_id, year, duration, 0 AS from_this_load
        FROM songs
        WHERE song_id IN (SELECT song_id FROM staging_songs)
        UNION ALL
        SELECT song_id, title, artist_id, NULLIF(year, 0), duration, 1
        FROM staging_songs
    ) AS candidates
) AS first_copies
WHERE songs.song_id = first_copies.song_id
    AND first_copies.copy_number = 1
    AND first_copies.from_this_load = 1;

-- songs, step 2: the first staged copy of each song not held.
INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, year, duration
FROM (
    SELECT
        song_id,
        title,
        artist_id,
        NULLIF(year, 0) AS year,
        duration,
        ROW_NUMBER() OVER (
            PARTITION BY song_id
            ORDER BY title, artist_id, NULLIF(year, 0), duration
        ) AS copy_number
    FROM staging_songs
) AS ranked_songs
WHERE copy_number = 1
    AND NOT EXISTS (SELECT 1 FROM songs WHERE songs.song_id = ranked_songs.song_id);

-- artists, step 1: every song file repeats its artist; an artist_id's copies rank by
-- name, location (empty is unknown: NULL), latitude and longitude, like songs.
DELETE FROM artists
USING (
    SELECT
        artist_id,
        from_this_load,
        ROW_NUMBER() OVER (
            PARTITION BY artist_id
            ORDER BY name, location, latitude, longitude, from_this_load
        ) AS copy_number
    FROM (
        SELECT artist_id, name, location, latitude, longitude, 0 AS from_this_load
        FROM artists
        WHERE artist_id IN (SELECT artist_id FROM staging_songs)
        UNION ALL
        SELECT artist_id, artist_name, NULLIF(artist_location, ''), artist_latitude, artist_longitude, 1
        FROM staging_songs
    ) AS candidates
) AS first_copies
WHERE artists.artist_id = first_copies.artist_id
    AND first_copies.copy_number = 1
    AND first_copies.from_this_load = 1;

-- artists, step 2: the first staged copy of each artist not held.
INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, name, location, latitude, longitude
FROM (
    SELECT
        artist_id,
        artist_name AS name,
        NULLIF(artist_location, '') AS location,
        artist_latitude AS latitude,
        artist_longitude AS longitude,
        ROW_NUMBER() OVER (
            PARTITION BY artist_id
            ORDER BY artist_name, NULLIF(artist_location, ''), artist_latitude, artist_longitude
        ) AS copy_number
    FROM staging_songs
) AS ranked_artists
WHERE copy_number = 1
    AND NOT EXISTS (SELECT 1 FROM artists WHERE artists.artist_id = ranked_artists.artist_id);

-- time: one row per distinct play timestamp not already there.
INSERT INTO time (start_time, hour, day, week, month, year, weekday)
SELECT
    start_time,
    EXTRACT(HOUR FROM start_time),
    EXTRACT(DAY FROM start_time),
    EXTRACT(WEEK FROM start_time),
    EXTRACT(MONTH FROM start_time),
    EXTRACT(YEAR FROM start_time),
    EXTRACT(DOW FROM start_time)
FROM (
    SELECT DISTINCT TIMESTAMP 'epoch' + ts * INTERVAL '0.001 second' AS start_time
    FROM staging_events
    WHERE page = 'NextSong'
        AND ts BETWEEN -210863520000000 AND 971890963199999
) AS play_times
WHERE NOT EXISTS (SELECT 1 FROM time WHERE time.start_time = play_times.start_time);

-- songplays, step 1: a play's copies (one natural key: userId as a number, sessionId,
-- itemInSession) rank earliest first: by ts, then level, location, user agent and the
-- song, artist and length logged. A staged copy that comes first replaces the play we
-- hold; only held plays whose key this load staged, and staged copies of a key we hold,
-- are ranked (so a first load, holding none, ranks nothing here).
DELETE FROM songplays
USING (
    SELECT
        user_id,
        session_id,
        item_in_session,
        from_this_load,
        ROW_NUMBER() OVER (
            PARTITION BY user_id, session_id, item_in_session
            ORDER BY start_time, level, location, user_agent, song_title, artist_name, song_length, from_this_load
        ) AS copy_number
    FROM (
        SELECT
            user_id,
            session_id,
            item_in_session,
            start_time,
            level,
            location,
            user_agent,
            song_title,
            artist_name,
            song_length,
            0 AS from_this_load
        FROM songplays AS held
        WHERE EXISTS (
            SELECT 1
            FROM staging_events
            WHERE staging_events.session_id = held.session_id
                AND staging_events.item_in_session = held.item_in_session
        )
        UNION ALL
        SELECT
            CASE WHEN user_id ~ '^0*[0-9]{1,9}$' THEN CAST(user_id AS INTEGER) END,
            session_id,
            item_in_session,
            TIMESTAMP 'epoch' + ts * INTERVAL '0.001 second',
            level,
            location,
            user_agent,
            song,
            artist,
            length,
            1
        FROM staging_events
        WHERE page = 'NextSong'
            AND ts BETWEEN -210863520000000 AND 971890963199999
            AND EXISTS (
                SELECT 1
                FROM songplays AS held
                WHERE held.session_id = staging_events.session_id
                    AND held.item_in_session = staging_events.item_in_session
            )
    ) AS candidates
) AS first_copies
WHERE songplays.user_id = first_copies.user_id
    AND songplays.session_id = first_copies.session_id
    AND songplays.item_in_session = first_copies.item_in_session
    AND first_copies.copy_number = 1
    AND first_copies.from_this_load = 1;

-- The songs every play may match: a play matches a song only when title, artist name
-- and duration all agree, and when several songs agree the lowest song_id wins, so a play
-- is never counted twice. It is written twice below (a subquery cannot be shared
-- between statements); the two copies must stay the same.

-- songplays, step 2: plays held match the songs as a load of everything at once would
-- match them: a song loaded after its plays matches them now, a lower song_id that
-- agrees takes over, and a song or artist this load replaced (steps above) takes its
-- plays with it. Only plays whose song, or best song, this load staged can change.
UPDATE songplays
SET song_id = matches.song_id, artist_id = matches.artist_id
FROM (
    SELECT
        songs.song_id,
        songs.artist_id,
        songs.title,
        artists.name AS artist_name,
        songs.duration,
        ROW_NUMBER() OVER (
            PARTITION BY songs.title, artists.name, songs.duration
            ORDER BY songs.song_id
        ) AS candidate_number
    FROM songs
    INNER JOIN artists ON songs.artist_id = artists.artist_id
) AS matches
WHERE matches.candidate_number = 1
    AND songplays.song_title = matches.title
    AND songplays.artist_name = matches.artist_name
    AND songplays.song_length = matches.duration
    AND (songplays.song_id IS NULL OR songplays.song_id <> matches.song_id OR songplays.artist_id <> matches.artist_id)
    AND (
        matches.song_id IN (SELECT song_id FROM staging_songs)
        OR matches.artist_id IN (SELECT artist_id FROM staging_songs)
        OR songplays.song_id IN (SELECT song_id FROM staging_songs)
        OR songplays.artist_id IN (SELECT artist_id FROM staging_songs)
    );

-- songplays, step 3: a play whose song this load replaced, and that no song matches
-- any more, is unmatched.
UPDATE songplays
SET song_id = NULL, artist_id = NULL
WHERE (
        song_id IN (SELECT song_id FROM staging_songs)
        OR artist_id IN (SELECT artist_id FROM staging_songs)
    )
    AND NOT EXISTS (
        SELECT 1
        FROM songs
        INNER JOIN artists ON songs.artist_id = artists.artist_id
        WHERE songs.title = songplays.song_title
            AND artists.name = songplays.artist_name
            AND songs.duration = songplays.song_length
    );

-- songplays, step 4: one row per NextSong event whose ts is a time: the first copy of
-- each natural key (in step 1's order) that is not held. It is matched against every song loaded so far (songs and artists, not
-- just this load's staged songs). Every play keeps the title, artist and length the app
-- logged (song_title, artist_name, song_length), so what users play can be counted over
-- all plays and a song loaded later can still match it.
INSERT INTO songplays (
    start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent,
    song_title, artist_name, song_length
)
SELECT
    TIMESTAMP 'epoch' + plays.ts * INTERVAL '0.001 second',
    plays.user_id,
    plays.level,
    matches.song_id,
    matches.artist_id,
    plays.session_id,
    plays.item_in_session,
    plays.location,
    plays.user_agent,
    plays.song,
    plays.artist,
    plays.length
FROM (
    SELECT
        typed_plays.*,
        ROW_NUMBER() OVER (
            PARTITION BY user_id, session_id, item_in_session
            ORDER BY ts, level, location, user_agent, song, artist, length
        ) AS copy_number
    FROM (
        SELECT
            ts,
            CASE WHEN user_id ~ '^0*[0-9]{1,9}$' THEN CAST(user_id AS INTEGER) END AS user_id,
            level,
            session_id,
            item_in_session,
            location,
            user_agent,
            song,
            artist,
            length
        FROM staging_events
        WHERE page = 'NextSong'
            AND ts BETWEEN -210863520000000 AND 971890963199999
    ) AS typed_plays
) AS plays
LEFT JOIN (
    SELECT
        songs.song_id,
        songs.artist_id,
        songs.title,
        artists.name AS artist_name,
        songs.duration,
        ROW_NUMBER() OVER (
            PARTITION BY songs.title, artists.name, songs.duration
            ORDER BY songs.song_id
        ) AS candidate_number
    FROM songs
    INNER JOIN artists ON songs.artist_id = artists.artist_id
) AS matches
    ON plays.song = matches.title
    AND plays.artist = matches.artist_name
    AND plays.length = matches.duration
    AND matches.candidate_number = 1
WHERE plays.copy_number = 1
    AND NOT EXISTS (
        SELECT 1
        FROM songplays
        WHERE songplays.user_id = plays.user_id
            AND songplays.session_id = plays.session_id
            AND songplays.item_in_session = plays.item_in_session
    );
