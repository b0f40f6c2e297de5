-- Which songs do users play most? Counted over all plays, by the title and artist the
-- app logged; matched_plays says how many of those plays matched a song of the
-- catalogue (title, artist and duration all agree), which few do.
SELECT
    song_title AS title,
    artist_name AS artist,
    COUNT(*) AS plays,
    COUNT(DISTINCT user_id) AS listeners,
    COUNT(song_id) AS matched_plays
FROM songplays
GROUP BY song_title, artist_name
ORDER BY plays DESC, title, artist
LIMIT 10;
