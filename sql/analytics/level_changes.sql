-- How many users upgraded from free to paid, or went back, between two of their plays?
SELECT
    previous_level || ' -> ' || level AS change,
    COUNT(*) AS changes,
    COUNT(DISTINCT user_id) AS users
FROM (
    SELECT
        user_id,
        level,
        LAG(level) OVER (PARTITION BY user_id ORDER BY start_time, songplay_id) AS previous_level
    FROM songplays
) AS plays_in_order
WHERE previous_level IS NOT NULL AND previous_level <> level
GROUP BY previous_level, level
ORDER BY change;
