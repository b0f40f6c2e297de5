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

-- users, step 1: forget a user whose staged latest event is newer than the one we hold.
DELETE FROM users
USING (
    SELECT CAST(user_id AS INTEGER) AS user_id, MAX(ts) AS latest_ts
    FROM staging_events
    WHERE user_id ~ '^0*[0-9]{1,9}$'
    GROUP BY CAST(user_id AS INTEGER)
) AS staged_users
WHERE users.user_id = staged_users.user_id
    AND users.level_ts < staged_users.latest_ts;

-- users, step 2: every event with a non-empty userId makes a user. Names, gender and
-- level come from the user's latest event by ts, because a user's level changes
-- (free -> paid and back); level_ts remembers that event for later loads.
INSERT INTO users (user_id, first_name, last_name, gender, level, level_ts)
SELECT ranked_users.user_id, first_name, last_name, gender, level, ts
FROM (
    SELECT
        CAST(user_id AS INTEGER) AS user_id,
        first_name,
        last_name,
        gender,
        level,
        ts,
        ROW_NUMBER() OVER (
            PARTITION BY CAST(user_id AS INTEGER)
            ORDER BY ts DESC, session_id DESC, item_in_session DESC
        ) AS recency
    FROM staging_events
    WHERE user_id ~ '^0*[0-9]{1,9}$'
) AS ranked_users
WHERE ranked_users.recency = 1
    AND NOT EXISTS (SELECT 1 FROM users WHERE users.user_id = ranked_users.user_id);

-- songs: upsert (the latest load's version of a song wins); year 0 means unknown: NULL.
DELETE FROM songs
USING (SELECT DISTINCT song_id FROM staging_songs) AS staged_songs
WHERE songs.song_id = staged_songs.song_id;

INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, NULLIF(year, 0), duration
FROM (
    SELECT
        song_id,
        title,
        artist_id,
        year,
        duration,
        ROW_NUMBER() OVER (PARTITION BY song_id ORDER BY title, artist_id) AS copy_number
    FROM staging_songs
) AS ranked_songs
WHERE copy_number = 1;

-- artists: upsert like songs; an empty location in the source means unknown: NULL.
DELETE FROM artists
USING (SELECT DISTINCT artist_id FROM staging_songs) AS staged_artists
WHERE artists.artist_id = staged_artists.artist_id;

INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, artist_name, NULLIF(artist_location, ''), artist_latitude, artist_longitude
FROM (
    SELECT
        artist_id,
        artist_name,
        artist_location,
        artist_latitude,
        artist_longitude,
        ROW_NUMBER() OVER (PARTITION BY artist_id ORDER BY song_id) AS copy_number
    FROM staging_songs
) AS ranked_artists
WHERE copy_number = 1;

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

-- The songs every play may match: a play matches a song only when title, artist name
-- and duration all agree, and when several songs agree the lowest song_id wins, so a play
-- is never counted twice. It is written twice below (a subquery cannot be shared
-- between statements); the two copies must stay the same.

-- songplays, step 1: songs loaded after their plays match those plays now, as a load of
-- everything at once would have matched them; a lower song_id that agrees takes over.
-- Only plays whose best song is one this load staged can change.
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
    AND matches.song_id IN (SELECT song_id FROM staging_songs)
    AND songplays.song_title = matches.title
    AND songplays.artist_name = matches.artist_name
    AND songplays.song_length = matches.duration
    AND (songplays.song_id IS NULL OR songplays.song_id <> matches.song_id);

-- songplays, step 2: one row per NextSong event whose ts is a time, deduplicated on its
-- natural key (userId as a number, sessionId, itemInSession) within the load and against
-- earlier loads. It is matched against every song loaded so far (songs and artists, not
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
            ORDER BY ts
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
