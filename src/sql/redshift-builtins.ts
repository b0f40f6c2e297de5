/**
 * What Redshift has built in and Postgres lacks, created on a Postgres database before
 * the project's Redshift SQL runs there (beside the statement rewrites of postgres.ts,
 * which cannot reach inside a procedure's `$$` body). Each is idempotent.
 */
export const REDSHIFT_BUILTINS_FOR_POSTGRES: readonly string[] = [
  // SVV_ROLES lists the database roles (Redshift dg, r_SVV_ROLES); Postgres has pg_roles.
  'CREATE OR REPLACE VIEW svv_roles AS SELECT oid AS role_id, rolname::VARCHAR(128) AS role_name FROM pg_roles',
];

/** Creates the built-ins on a database: `run` sends one statement. */
export async function createRedshiftBuiltins(run: (sql: string) => Promise<unknown>): Promise<void> {
  for (const sql of REDSHIFT_BUILTINS_FOR_POSTGRES) await run(sql);
}
