-- On which day of the week do users play songs? (weekday 0 = Sunday)
SELECT
    time.weekday,
    COUNT(*) AS plays
FROM songplays
INNER JOIN time ON songplays.start_time = time.start_time
GROUP BY time.weekday
ORDER BY time.weekday;
