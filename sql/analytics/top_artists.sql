-- Which artists are played most? (Counted over plays matched to a known song.)
SELECT
    artists.name AS artist,
    COUNT(*) AS plays,
    COUNT(DISTINCT songplays.user_id) AS listeners
FROM songplays
INNER JOIN artists ON songplays.artist_id = artists.artist_id
GROUP BY artists.name
ORDER BY plays DESC, artists.name
LIMIT 10;
