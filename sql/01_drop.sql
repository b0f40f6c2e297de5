-- Drop every table so a load rebuilds the warehouse from nothing. Only a rebuild runs
-- this file (a deploy that creates or changes the stack); incremental loads skip it.
-- One statement, so the tables that reference each other go together (and the load's
-- one Data API batch keeps room under its 40 statements). Each name is qualified with
-- the warehouse's schema: a table of the same name elsewhere on the search path (an
-- application's users in public) is never dropped.
DROP TABLE IF EXISTS
{{ schema }}.songplays, {{ schema }}.users, {{ schema }}.songs, {{ schema }}.artists, {{ schema }}.time,
{{ schema }}.staging_events, {{ schema }}.staging_songs, {{ schema }}.load_manifest;
