-- Replaces sql/04_copy_events.sql in the deploy's load. Before the load, its onEvent
-- compacts the event log files (.json, .jsonl or .json.gz) into gzip'd JSON-lines files,
-- a multiple of the warehouse's slices, in the stack's staging bucket, writes this
-- manifest of them and copies the JSONPaths file beside it (src/compaction/deploy-compaction.ts):
-- COPY with GZIP reads the .json.gz sources too, which the raw prefix without GZIP could not.
-- No REGION: the manifest, the files and the JSONPaths file are all in the staging
-- bucket, in the warehouse's region (a COPY reads what it names in one region).
COPY staging_events
FROM {{ log_manifest_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON {{ staged_log_jsonpaths_uri }}
MANIFEST
GZIP
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
