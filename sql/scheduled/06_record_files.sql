-- Record the run's files in load_manifest, after the checks and in the same
-- transaction: a file counts as loaded exactly when its rows are committed.

-- A file another load recorded since this run read the manifest must not load twice.
-- check: files_not_loaded_before
-- on failure: another load recorded some of these files first; the next run lists the files again
SELECT COUNT(*) AS failures
FROM staging_files
INNER JOIN load_manifest ON staging_files.file_key = load_manifest.file_key;

INSERT INTO load_manifest (file_key, size_bytes, modified_at, content_hash, rows_loaded)
SELECT file_key, size_bytes, modified_at, content_hash, rows_loaded
FROM staging_files;
