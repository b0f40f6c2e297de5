-- The warehouse lives in its own schema, so it never meets another application's tables
-- of the same name (a users table in public, say). Every later statement names its
-- tables unqualified and finds them through the search path set here. A Data API batch
-- runs in one session (docs/AWS-FACTS.md), so the setting holds for the whole batch.
CREATE SCHEMA IF NOT EXISTS {{ schema }};

-- public comes second only for what Redshift keeps there and Postgres lacks; every
-- table of the load is created in the schema (the first on the path) before it is used,
-- and 01_drop.sql names the schema, so nothing in public is read, changed or dropped.
-- Redshift and Postgres take a quoted schema name here; sqlfluff 1.4's SET grammar does not yet.
SET search_path TO {{ schema }}, public -- noqa: PRS
;
