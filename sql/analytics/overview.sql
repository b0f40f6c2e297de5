-- What does the warehouse hold: how many plays, by how many of its users, how many of
-- those plays were paid and how many matched a song of the catalogue, and from when to
-- when (UTC)? users and paid_users count the users table (a user's level is the one of
-- their latest event).
SELECT
    play_totals.plays,
    play_totals.listeners,
    play_totals.paid_plays,
    play_totals.matched_plays,
    play_totals.first_play,
    play_totals.last_play,
    user_totals.users,
    user_totals.paid_users
FROM (
    SELECT
        COUNT(*) AS plays,
        COUNT(DISTINCT user_id) AS listeners,
        COALESCE(SUM(CASE WHEN level = 'paid' THEN 1 ELSE 0 END), 0) AS paid_plays,
        COUNT(song_id) AS matched_plays,
        MIN(start_time) AS first_play,
        MAX(start_time) AS last_play
    FROM songplays
) AS play_totals
CROSS JOIN (
    SELECT
        COUNT(*) AS users,
        COALESCE(SUM(CASE WHEN level = 'paid' THEN 1 ELSE 0 END), 0) AS paid_users
    FROM users
) AS user_totals;
