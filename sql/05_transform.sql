-- Staging to star schema: one set-based INSERT ... SELECT per table, dimensions first.
-- Epoch milliseconds become a UTC TIMESTAMP with the milliseconds kept
-- (ts / 1000 in integer arithmetic would drop them).

-- users: every event with a non-empty userId. Names, gender and level come from the
-- user's latest event by ts, because a user's level changes (free -> paid and back).
INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
    SELECT
        CAST(user_id AS INTEGER) AS user_id,
        first_name,
        last_name,
        gender,
        level,
        ROW_NUMBER() OVER (
            PARTITION BY CAST(user_id AS INTEGER)
            ORDER BY ts DESC, session_id DESC, item_in_session DESC
        ) AS recency
    FROM staging_events
    WHERE user_id <> ''
) AS ranked_users
WHERE recency = 1;

-- songs: one row per song_id; year 0 in the source means unknown, stored as NULL.
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

-- artists: one row per artist_id; an empty location in the source means unknown.
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

-- time: one row per distinct play timestamp.
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
) AS play_times;

-- songplays: one row per NextSong event, deduplicated on its natural key
-- (userId, sessionId, itemInSession). A play matches a song only when title, artist
-- name and duration all agree; when several songs agree, the lowest song_id wins, so a
-- play is never counted twice.
INSERT INTO songplays (
    start_time, user_id, level, song_id, artist_id, session_id, item_in_session, location, user_agent
)
SELECT
    TIMESTAMP 'epoch' + plays.ts * INTERVAL '0.001 second',
    CAST(NULLIF(plays.user_id, '') AS INTEGER),
    plays.level,
    matches.song_id,
    matches.artist_id,
    plays.session_id,
    plays.item_in_session,
    plays.location,
    plays.user_agent
FROM (
    SELECT
        ts,
        user_id,
        level,
        session_id,
        item_in_session,
        location,
        user_agent,
        song,
        artist,
        length,
        ROW_NUMBER() OVER (
            PARTITION BY user_id, session_id, item_in_session
            ORDER BY ts
        ) AS copy_number
    FROM staging_events
    WHERE page = 'NextSong'
) AS plays
LEFT JOIN (
    SELECT
        song_id,
        artist_id,
        title,
        artist_name,
        duration,
        ROW_NUMBER() OVER (
            PARTITION BY title, artist_name, duration
            ORDER BY song_id
        ) AS candidate_number
    FROM staging_songs
) AS matches
    ON plays.song = matches.title
    AND plays.artist = matches.artist_name
    AND plays.length = matches.duration
    AND matches.candidate_number = 1
WHERE plays.copy_number = 1;
