-- Drop every table so a load rebuilds the warehouse from nothing.
-- The fact table goes first: nothing else depends on it.
DROP TABLE IF EXISTS songplays;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS songs;
DROP TABLE IF EXISTS artists;
DROP TABLE IF EXISTS time;
DROP TABLE IF EXISTS staging_events;
DROP TABLE IF EXISTS staging_songs;
