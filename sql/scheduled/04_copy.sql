-- A scheduled load (sql/ with this folder laid over it) reads only the files its run
-- found new: this file replaces sql/04_copy.sql. The run writes, to the stack's
-- load-runs bucket, a JSON line per file it claims (new files, and redelivered copies
-- recorded with rows_loaded 0) and a COPY manifest per kind of file.

-- LOCK holds load_manifest until this load's transaction ends: a second load started
-- meanwhile waits here, then fails the files_not_loaded_before check and rolls back.
LOCK load_manifest;

-- The files this run claims, recorded in load_manifest by 06_record_files.sql.
CREATE TEMPORARY TABLE staging_files (
    file_key     VARCHAR(1024) NOT NULL,
    size_bytes   BIGINT NOT NULL,
    modified_at  TIMESTAMP NOT NULL,
    content_hash VARCHAR(64) NOT NULL,
    rows_loaded  BIGINT NOT NULL
);

-- The list's keys are the column names, so 'auto' maps them; times are UTC, 24-hour.
COPY staging_files
FROM {{ file_list_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS'
REGION {{ source_region }}
COMPUPDATE OFF
STATUPDATE OFF;
