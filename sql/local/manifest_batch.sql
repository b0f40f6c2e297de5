-- Where a local run puts the files it records, before record_files.sql moves them into
-- load_manifest: the runner bulk-copies its rows (file_key, size_bytes, modified_at,
-- content_hash, rows_loaded) into it in between.
CREATE TEMPORARY TABLE manifest_batch (LIKE load_manifest INCLUDING DEFAULTS);
