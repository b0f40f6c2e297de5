-- Which artists do users play most? Counted over all plays, by the artist name the app
-- logged, matched to the catalogue or not.
SELECT
    artist_name AS artist,
    COUNT(*) AS plays,
    COUNT(DISTINCT user_id) AS listeners,
    COUNT(DISTINCT song_title) AS songs
FROM songplays
GROUP BY artist_name
ORDER BY plays DESC, artist
LIMIT 10;
