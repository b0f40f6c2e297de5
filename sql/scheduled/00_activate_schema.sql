-- Replaces sql/00_activate_schema.sql in a scheduled load: the deploy's load created
-- the schema; a run only makes it the search path (and keeps the batch within the Data
-- API's 40 statements).
SET search_path TO {{ schema }}, public;
