/**
 * What Redshift has built in and Postgres lacks, created on a Postgres database before
 * the project's Redshift SQL runs there (beside the statement rewrites of postgres.ts,
 * which cannot reach inside a procedure's `$$` body). Each is idempotent.
 */
export const REDSHIFT_BUILTINS_FOR_POSTGRES: readonly string[] = [
  // SVV_ROLES lists the database roles (Redshift dg, r_SVV_ROLES); Postgres has pg_roles.
  'CREATE OR REPLACE VIEW svv_roles AS SELECT oid AS role_id, rolname::VARCHAR(128) AS role_name FROM pg_roles',
  // DATEDIFF (sql/scheduled/loaded_files.sql reads modified_at as epoch milliseconds with
  // it), its date part made text by postgres.ts. Redshift counts the boundaries of the
  // date part crossed from start to end, so both ends are truncated to it first; the
  // aliases are those Redshift accepts for each part (dg, r_Dateparts_for_datetime_functions).
  `CREATE OR REPLACE FUNCTION datediff(part text, start_time timestamp, end_time timestamp) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  unit text := CASE
    WHEN lower(part) IN ('year', 'years', 'y', 'yr', 'yrs') THEN 'year'
    WHEN lower(part) IN ('month', 'months', 'mon', 'mons') THEN 'month'
    WHEN lower(part) IN ('day', 'days', 'd') THEN 'day'
    WHEN lower(part) IN ('hour', 'hours', 'h', 'hr', 'hrs') THEN 'hour'
    WHEN lower(part) IN ('minute', 'minutes', 'm', 'min', 'mins') THEN 'minute'
    WHEN lower(part) IN ('second', 'seconds', 's', 'sec', 'secs') THEN 'second'
    WHEN lower(part) IN ('millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'msecond', 'mseconds', 'millisec', 'millisecs', 'millisecon') THEN 'milliseconds'
    WHEN lower(part) IN ('microsecond', 'microseconds', 'microsec', 'microsecs', 'usecond', 'useconds', 'us', 'usec', 'usecs') THEN 'microseconds'
  END;
BEGIN
  IF unit IS NULL THEN
    RAISE EXCEPTION 'DATEDIFF date part % is not one the local warehouse computes', part;
  END IF;
  IF unit = 'year' THEN
    RETURN EXTRACT(YEAR FROM end_time) - EXTRACT(YEAR FROM start_time);
  END IF;
  IF unit = 'month' THEN
    RETURN (EXTRACT(YEAR FROM end_time) - EXTRACT(YEAR FROM start_time)) * 12 + EXTRACT(MONTH FROM end_time) - EXTRACT(MONTH FROM start_time);
  END IF;
  RETURN round((EXTRACT(EPOCH FROM date_trunc(unit, end_time)) - EXTRACT(EPOCH FROM date_trunc(unit, start_time)))
    / CASE unit WHEN 'day' THEN 86400 WHEN 'hour' THEN 3600 WHEN 'minute' THEN 60 WHEN 'second' THEN 1
        WHEN 'milliseconds' THEN 0.001 ELSE 0.000001 END);
END
$$`,
];

/** Creates the built-ins on a database: `run` sends one statement. */
export async function createRedshiftBuiltins(run: (sql: string) => Promise<unknown>): Promise<void> {
  for (const sql of REDSHIFT_BUILTINS_FOR_POSTGRES) await run(sql);
}
