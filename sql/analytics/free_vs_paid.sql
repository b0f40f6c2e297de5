-- How do free and paid compare: plays at each level, and users at each level now
-- (a user's level is the one of their latest event)?
SELECT
    level_plays.level,
    level_plays.plays,
    COALESCE(level_users.users, 0) AS users
FROM (
    SELECT level, COUNT(*) AS plays
    FROM songplays
    GROUP BY level
) AS level_plays
LEFT JOIN (
    SELECT level, COUNT(*) AS users
    FROM users
    GROUP BY level
) AS level_users ON level_plays.level = level_users.level
ORDER BY level_plays.level;
