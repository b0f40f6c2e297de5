-- The star schema. Redshift declares but never enforces PRIMARY KEY and REFERENCES (the
-- planner uses them as hints), so 06_checks.sql verifies them after every load.
-- Dimensions come first: a REFERENCES clause needs its table to exist.

-- Users are few and joined to every play: a full copy on each node (DISTSTYLE ALL)
-- turns that join into a local lookup.
CREATE TABLE IF NOT EXISTS users (
    user_id    INTEGER NOT NULL PRIMARY KEY,
    first_name VARCHAR(256),
    last_name  VARCHAR(256),
    gender     VARCHAR(8),
    level      VARCHAR(16), -- from the user's latest event: free and paid both occur over time
    level_ts   BIGINT NOT NULL -- epoch ms of that event, so a later load can tell which is newer
)
DISTSTYLE ALL
SORTKEY (user_id);

-- Songs share songplays' DISTKEY so the fact-to-song join needs no redistribution.
CREATE TABLE IF NOT EXISTS songs (
    song_id   VARCHAR(32) NOT NULL PRIMARY KEY,
    title     VARCHAR(512),
    artist_id VARCHAR(32),
    year      INTEGER, -- NULL when the source says 0 (unknown)
    duration  DOUBLE PRECISION
)
DISTKEY (song_id)
SORTKEY (song_id);

-- Artists are small next to plays: replicate them to every node.
CREATE TABLE IF NOT EXISTS artists (
    artist_id VARCHAR(32) NOT NULL PRIMARY KEY,
    name      VARCHAR(512),
    location  VARCHAR(512),
    latitude  DOUBLE PRECISION,
    longitude DOUBLE PRECISION
)
DISTSTYLE ALL
SORTKEY (artist_id);

-- One row per play timestamp: distributed and sorted on start_time like the fact table,
-- so joins and range scans on time stay node-local and skip blocks.
CREATE TABLE IF NOT EXISTS time (
    start_time TIMESTAMP NOT NULL PRIMARY KEY, -- UTC, millisecond precision
    hour       SMALLINT NOT NULL,
    day        SMALLINT NOT NULL,
    week       SMALLINT NOT NULL,
    month      SMALLINT NOT NULL,
    year       SMALLINT NOT NULL,
    weekday    SMALLINT NOT NULL -- 0 = Sunday, as EXTRACT(dow)
)
DISTKEY (start_time)
SORTKEY (start_time);

-- Fact: one row per song play. DISTKEY song_id co-locates plays with their song rows
-- for the songplays-songs join; SORTKEY start_time makes time-range scans skip blocks.
-- song_id and artist_id are set only for plays that match the song catalogue (few do);
-- song_title and artist_name keep what the app logged for every play, so "what do
-- users play" has an answer over all plays without a join; with song_length, they let
-- a song that arrives in a later load match the plays logged before it.
CREATE TABLE IF NOT EXISTS songplays (
    songplay_id     BIGINT IDENTITY(0, 1) PRIMARY KEY,
    start_time      TIMESTAMP NOT NULL REFERENCES time (start_time),
    user_id         INTEGER REFERENCES users (user_id),
    level           VARCHAR(16),
    song_id         VARCHAR(32) REFERENCES songs (song_id),
    artist_id       VARCHAR(32) REFERENCES artists (artist_id),
    session_id      INTEGER,
    item_in_session INTEGER, -- with user_id and session_id: the play's natural key
    location        VARCHAR(512),
    user_agent      VARCHAR(1024),
    song_title      VARCHAR(512), -- the song's title as the app logged it, matched or not
    artist_name     VARCHAR(512), -- the artist's name as the app logged it, matched or not
    song_length     DOUBLE PRECISION -- the length the app logged: a song loaded later matches on it
)
DISTKEY (song_id)
SORTKEY (start_time);

-- The load manifest: one row per source file loaded, so an incremental load reads only
-- files it has not seen, skips a redelivered copy (same content hash) and refuses a
-- file whose content changed under a known key.
CREATE TABLE IF NOT EXISTS load_manifest (
    file_key     VARCHAR(1024) NOT NULL PRIMARY KEY, -- key under the source bucket
    size_bytes   BIGINT NOT NULL,
    modified_at  TIMESTAMP NOT NULL,   -- the source's last-modified time: same size and time = unchanged
    content_hash VARCHAR(64) NOT NULL, -- SHA-256, hex
    rows_loaded  BIGINT NOT NULL,      -- 0 for a redelivered copy of a loaded file
    loaded_at    TIMESTAMP NOT NULL DEFAULT GETDATE()
)
DISTSTYLE ALL
SORTKEY (file_key);
