-- The new song files, compacted by the run into gzip'd JSON lines under its runs folder
-- and listed in this run's COPY manifest (see 04_copy_events.sql). No REGION: the runs
-- bucket is in the warehouse's region (the stack checks the source is too).
COPY staging_songs
FROM {{ song_manifest_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
MANIFEST
GZIP
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
