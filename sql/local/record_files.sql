-- Record a local run's files (manifest_batch.sql) in load_manifest, in the load's
-- transaction: a key loaded again replaces its row.
DELETE FROM load_manifest
USING manifest_batch
WHERE load_manifest.file_key = manifest_batch.file_key;

INSERT INTO load_manifest (file_key, size_bytes, modified_at, content_hash, rows_loaded)
SELECT file_key, size_bytes, modified_at, content_hash, rows_loaded
FROM manifest_batch;

DROP TABLE manifest_batch;
