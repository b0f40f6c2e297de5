-- Staging tables: the raw JSON as COPY loads it, one column per source key. They hold
-- only the files of the current load: emptied here, filled by 04_copy.sql.
-- staging_events columns follow the JSONPaths file (log_json_path.json) in order,
-- because COPY maps JSONPaths expressions to columns by position.
-- staging_events is EVEN: read once by the transform, never joined twice, and round-robin
-- spreads any number of rows evenly.
CREATE TABLE IF NOT EXISTS staging_events (
    artist          VARCHAR(512),
    auth            VARCHAR(32),
    first_name      VARCHAR(256),
    gender          VARCHAR(8),
    item_in_session INTEGER,
    last_name       VARCHAR(256),
    length          DOUBLE PRECISION,
    level           VARCHAR(16),
    location        VARCHAR(512),
    method          VARCHAR(16),
    page            VARCHAR(64),
    registration    BIGINT,
    session_id      INTEGER,
    song            VARCHAR(512),
    status          INTEGER,
    ts              BIGINT NOT NULL, -- epoch milliseconds
    user_agent      VARCHAR(1024),
    user_id         VARCHAR(32)      -- '' for logged-out events, so not an INTEGER here
)
DISTSTYLE EVEN;

-- staging_songs columns carry the song files' own key names, so COPY 'auto' maps them.
-- DISTSTYLE ALL like songs and artists, which are built from it alone: those inserts stay
-- on each node instead of broadcasting the staged songs, and the catalogue is small (on
-- the real sample 71 rows, too few to spread evenly: at 32 slices EVEN leaves 3 on some
-- slices and 2 on others).
CREATE TABLE IF NOT EXISTS staging_songs (
    num_songs        INTEGER,
    artist_id        VARCHAR(32) NOT NULL,
    artist_latitude  DOUBLE PRECISION,
    artist_longitude DOUBLE PRECISION,
    artist_location  VARCHAR(512),
    artist_name      VARCHAR(512),
    song_id          VARCHAR(32) NOT NULL,
    title            VARCHAR(512),
    duration         DOUBLE PRECISION,
    year             INTEGER
)
DISTSTYLE ALL;

-- DELETE, not TRUNCATE: TRUNCATE commits the open transaction in Redshift, and a load
-- must stay one transaction so a failure leaves the warehouse as it was.
DELETE FROM staging_events;
DELETE FROM staging_songs;
