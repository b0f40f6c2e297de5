-- At what hour of the day (UTC) do users play songs?
SELECT
    time.hour,
    COUNT(*) AS plays
FROM songplays
INNER JOIN time ON songplays.start_time = time.start_time
GROUP BY time.hour
ORDER BY time.hour;
