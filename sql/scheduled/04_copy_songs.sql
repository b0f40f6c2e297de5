-- The new song files, listed in this run's COPY manifest (see 04_copy_events.sql).
COPY staging_songs
FROM {{ song_manifest_uri }}
IAM_ROLE {{ copy_role_arn }}
FORMAT AS JSON 'auto'
MANIFEST
REGION {{ source_region }}
MAXERROR {{ max_errors }}
COMPUPDATE OFF
STATUPDATE ON;
