-- How many songs are played each day (UTC)?
SELECT
    CAST(start_time AS DATE) AS play_date,
    COUNT(*) AS plays,
    COUNT(DISTINCT user_id) AS users
FROM songplays
GROUP BY CAST(start_time AS DATE)
ORDER BY play_date;
