-- Where do the plays come from (the users' locations)?
SELECT
    location,
    COUNT(*) AS plays,
    COUNT(DISTINCT user_id) AS users
FROM songplays
GROUP BY location
ORDER BY plays DESC, location
LIMIT 10;
