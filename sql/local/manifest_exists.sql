-- Whether the local warehouse has a load_manifest yet (a Postgres catalog lookup: the
-- local runner only). Before the first load it has none, and every file is new. Only
-- the warehouse's own schema (the first on the search path) counts, never one further
-- along it: an earlier version's public.load_manifest is not this warehouse's.
SELECT EXISTS (
    SELECT 1 FROM pg_tables
    WHERE schemaname = CURRENT_SCHEMA() AND tablename = 'load_manifest'
) AS present;
