-- What a local run reads first (the local runner's counterpart of
-- sql/scheduled/loaded_files.sql): the files load_manifest records, to decide which
-- files of the data folder are new. Only when load_manifest exists (manifest_exists.sql).
-- modified_at comes as epoch milliseconds: a TIMESTAMP read back as a Date would depend
-- on the session's time zone.
SELECT
    file_key,
    size_bytes,
    CAST(EXTRACT(EPOCH FROM modified_at) * 1000 AS BIGINT) AS modified_ms,
    content_hash
FROM load_manifest;
