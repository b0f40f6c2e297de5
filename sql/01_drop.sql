-- Drop every table so a load rebuilds the warehouse from nothing. Only a rebuild runs
-- this file (a deploy that creates or changes the stack); incremental loads skip it.
-- One statement, so the tables that reference each other go together (and the load's
-- one Data API batch keeps room under its 40 statements).
DROP TABLE IF EXISTS songplays, users, songs, artists, time, staging_events, staging_songs, load_manifest;
