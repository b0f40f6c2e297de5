-- Load the raw song JSON from S3 into staging_songs: what the local runner runs. The
-- deploy compacts the song files first and runs sql/deploy/04_copy_songs.sql instead.
-- Placeholders, REGION and STATUPDATE as in 04_copy_events.sql.

-- Song keys already match the staging_songs columns, so 'auto' maps them by name.
COPY staging_songs
FROM {{ song_data_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
REGION {{ source_region }}
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
