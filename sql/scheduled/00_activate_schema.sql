-- Replaces sql/00_activate_schema.sql in a scheduled load: the deploy's load created
-- the schema; a run only makes it the search path (and keeps the batch within the Data
-- API's 40 statements).
-- Redshift and Postgres take a quoted schema name here; sqlfluff 1.4's SET grammar does not yet.
SET search_path TO {{ schema }}, public -- noqa: PRS
;
