-- What a scheduled run reads first: the files load_manifest records, to decide which
-- listed files are new. modified_at comes as epoch milliseconds, to compare with S3's
-- LastModified whatever the session's time zone.
SELECT
    file_key,
    size_bytes,
    DATEDIFF(MILLISECOND, TIMESTAMP '1970-01-01 00:00:00', modified_at) AS modified_ms,
    content_hash
FROM {{ schema }}.load_manifest;
