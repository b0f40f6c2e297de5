-- The star schema. Redshift declares but never enforces PRIMARY KEY and REFERENCES (the
-- planner uses them as hints), so 06_checks.sql verifies them after every load.
-- Dimensions come first: a REFERENCES clause needs its table to exist.

-- Distribution (docs/AWS-FACTS.md; skew figures in BENCHMARKS.md, npm run skew): the fact
-- table and time share DISTKEY start_time, nearly unique, so no slice holds more than its
-- share and the songplays-time join of the analytics queries is collocated. The other
-- dimensions are small and change little: a full copy on each node (DISTSTYLE ALL) makes
-- every join to them local, and no table is left whose rows a few key values decide.

-- Users are few and joined to plays on user_id, which is not the fact's DISTKEY: a full
-- copy on each node (DISTSTYLE ALL) turns that join into a local lookup.
CREATE TABLE IF NOT EXISTS users (
    user_id    INTEGER NOT NULL PRIMARY KEY,
    first_name VARCHAR(256),
    last_name  VARCHAR(256),
    gender     VARCHAR(8),
    level      VARCHAR(16), -- from the user's latest event: free and paid both occur over time
    -- That event's ts (epoch ms), session_id and item_in_session: where it stands in the
    -- order sql/05_transform.sql ranks a user's events by, so a later load's events are
    -- ranked against it as a load of everything at once would rank them.
    level_ts              BIGINT NOT NULL,
    level_session_id      INTEGER,
    level_item_in_session INTEGER
)
DISTSTYLE ALL
SORTKEY (user_id);

-- Songs: the catalogue, small and changed only when song files arrive. A full copy on each
-- node, because the fact cannot be distributed on song_id: a play has a song_id only when
-- it matches the catalogue (1 of 6,820 on the real sample), and Redshift puts every row
-- with a NULL DISTKEY on one slice.
CREATE TABLE IF NOT EXISTS songs (
    song_id   VARCHAR(32) NOT NULL PRIMARY KEY,
    title     VARCHAR(512),
    artist_id VARCHAR(32),
    year      INTEGER, -- NULL when the source says 0 (unknown)
    duration  DOUBLE PRECISION
)
DISTSTYLE ALL
SORTKEY (song_id);

-- Artists are small next to plays and joined on artist_id (NULL for most plays, like
-- song_id): replicate them to every node.
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
-- so the songplays-time join stays on each slice and range scans skip blocks.
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

-- Fact: one row per song play. DISTKEY start_time: millisecond timestamps are nearly
-- unique (6,813 for 6,820 plays on the real sample), so hashing them spreads the plays
-- evenly, a day's plays over every slice too, and the join to time is collocated.
-- SORTKEY start_time makes time-range scans skip blocks.
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
DISTKEY (start_time)
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
