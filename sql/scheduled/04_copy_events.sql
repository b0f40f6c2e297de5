-- The new event files, compacted by the run into gzip'd JSON lines under its runs folder
-- (so new .json and .json.gz files load alike) and listed in this run's COPY manifest:
-- as sql/04_copy_events.sql, with MANIFEST and GZIP instead of a key prefix. Left out of
-- a run that found no new event file, since COPY fails on a manifest listing no file.
-- With REGION, COPY reads the manifest and the data in that one region: a schedule
-- needs the source bucket in the stack's region, which the stack checks.
COPY staging_events
FROM {{ log_manifest_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON {{ log_jsonpaths_uri }}
MANIFEST
GZIP
REGION {{ source_region }}
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
