-- Whether the local warehouse has a load_manifest yet (a Postgres catalog lookup: the
-- local runner only). Before the first load it has none, and every file is new.
SELECT TO_REGCLASS('load_manifest') IS NOT NULL AS present;
