-- Replaces sql/04_copy_songs.sql in the deploy's load. Before the load, its onEvent
-- compacts the song files (one tiny file per song in the public dataset) into a few
-- gzip'd JSON-lines files, a multiple of the warehouse's slices, in the stack's staging
-- bucket, and writes this manifest of them: COPY splits no JSON or gzip'd file, so it
-- reads few, big files instead of thousands of small ones (src/compaction/compact-json.ts).
-- sql/deploy/04_copy_events.sql does the same with the event files.
-- No REGION: the staging bucket is in the warehouse's region.
COPY staging_songs
FROM {{ song_manifest_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
MANIFEST
GZIP
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
