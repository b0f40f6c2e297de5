-- Row counts after the load: printed by the local runner and returned by the deploy as
-- custom-resource attributes. Staging tables count this load's rows; the others, the
-- whole warehouse. matched_songplays counts plays joined to a known song.
SELECT
    (SELECT COUNT(*) FROM staging_events) AS staging_events,
    (SELECT COUNT(*) FROM staging_songs) AS staging_songs,
    (SELECT COUNT(*) FROM songplays) AS songplays,
    (SELECT COUNT(*) FROM users) AS users,
    (SELECT COUNT(*) FROM songs) AS songs,
    (SELECT COUNT(*) FROM artists) AS artists,
    (SELECT COUNT(*) FROM time) AS time,
    (SELECT COUNT(*) FROM songplays WHERE song_id IS NOT NULL) AS matched_songplays;
