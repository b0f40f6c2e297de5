-- How many songs are played each day (UTC), and by how many users? (play_date is
-- YYYY-MM-DD text, the same on every engine and client.)
SELECT
    TO_CHAR(start_time, 'YYYY-MM-DD') AS play_date,
    COUNT(*) AS plays,
    COUNT(DISTINCT user_id) AS users
FROM songplays
GROUP BY TO_CHAR(start_time, 'YYYY-MM-DD')
ORDER BY play_date;
