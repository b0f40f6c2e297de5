-- Replaces sql/04_copy.sql in a scheduled load: the run's list of the files it claims.
-- Its keys are the column names, so 'auto' maps them; times are UTC, 24-hour.
COPY staging_files
FROM {{ file_list_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
TIMEFORMAT 'YYYY-MM-DD HH24:MI:SS'
REGION {{ source_region }}
COMPUPDATE OFF
STATUPDATE OFF;
