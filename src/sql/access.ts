/**
 * The database role for people who read the warehouse: sql/03_grant_read.sql creates it
 * and grants it read on every table; IAM principals get it through the `RedshiftDbRoles`
 * tag (lib/analyst-access.ts). A test keeps the two in step.
 */
export const ANALYSTS_DATABASE_ROLE = 'analysts';
