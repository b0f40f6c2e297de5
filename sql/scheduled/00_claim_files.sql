-- A scheduled load (sql/ with this folder laid over it, by file name) loads only the
-- files its run found new. The run writes, to the stack's runs bucket, a JSON line per
-- file it claims (new files, and redelivered copies recorded with rows_loaded 0) and a
-- COPY manifest per kind of file with new files.

-- First of all, LOCK holds load_manifest until this load's transaction ends: a second
-- load started meanwhile waits here, then fails the files_not_loaded_before check of
-- 06_record_files.sql and rolls back. (Taking the lock first also spares the second
-- load Redshift's serializable isolation error.)
LOCK load_manifest;

-- The files this run claims: 04_copy.sql fills it, 06_record_files.sql records it. A
-- temporary table lives as long as the Data API batch's session.
CREATE TEMPORARY TABLE staging_files (
    file_key     VARCHAR(1024) NOT NULL,
    size_bytes   BIGINT NOT NULL,
    modified_at  TIMESTAMP NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    rows_loaded  BIGINT NOT NULL
);
