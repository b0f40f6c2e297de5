-- Which songs are played most? (Only plays matched to a known song have a title in the
-- fact table: a play matches when title, artist and duration all agree.)
SELECT
    songs.title,
    artists.name AS artist,
    COUNT(*) AS plays
FROM songplays
INNER JOIN songs ON songplays.song_id = songs.song_id
INNER JOIN artists ON songplays.artist_id = artists.artist_id
GROUP BY songs.title, artists.name
ORDER BY plays DESC, songs.title
LIMIT 10;
