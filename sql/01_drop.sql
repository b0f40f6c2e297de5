-- Drop every table so a load rebuilds the warehouse from nothing. Only a rebuild runs
-- this file (a deploy that creates or changes the stack); incremental loads skip it.
-- The fact table goes first: it references the dimensions.
DROP TABLE IF EXISTS songplays;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS songs;
DROP TABLE IF EXISTS artists;
DROP TABLE IF EXISTS time;
DROP TABLE IF EXISTS staging_events;
DROP TABLE IF EXISTS staging_songs;
DROP TABLE IF EXISTS load_manifest;
