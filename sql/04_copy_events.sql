-- Load the raw event JSON from S3 into staging_events. Each placeholder in double braces
-- becomes a SQL literal that src/sql/render.ts escapes; nothing else is substituted.
-- REGION is always given, so a bucket in another region than the warehouse works.
-- STATUPDATE ON refreshes the staging tables' statistics, so the transform's joins are
-- planned on real row counts (the local loader runs ANALYZE for it).

-- Event keys are camelCase: a JSONPaths file maps them to columns by position.
-- Plain 'auto' would match them case-sensitively against the lower-case columns and
-- load every camelCase key as NULL.
COPY staging_events
FROM {{ log_data_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON {{ log_jsonpaths_uri }}
REGION {{ source_region }}
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
