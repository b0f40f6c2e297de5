-- How many songs does a session hold? (sessions by number of plays)
SELECT
    plays_in_session,
    COUNT(*) AS sessions
FROM (
    SELECT user_id, session_id, COUNT(*) AS plays_in_session
    FROM songplays
    GROUP BY user_id, session_id
) AS sessions_played
GROUP BY plays_in_session
ORDER BY plays_in_session;
