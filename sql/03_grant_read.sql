-- Read access for people. Every load runs as the admin user, who owns the tables; the
-- people who query them get the database role analysts, never ownership. It may read
-- every table of the warehouse, including the ones later loads create again.
-- (On Serverless an IAM principal tagged RedshiftDbRoles=analysts gets the role when
-- it signs in; on a cluster, GRANT ROLE analysts TO a user.)

-- CREATE ROLE has no IF NOT EXISTS: this procedure creates the role only when SVV_ROLES
-- does not list it, so the load can be run again.
CREATE OR REPLACE PROCEDURE sp_sparkify_create_role(wanted VARCHAR(128))
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = wanted) THEN
        EXECUTE 'CREATE ROLE ' || QUOTE_IDENT(wanted);
    END IF;
END;
$$ LANGUAGE plpgsql;

CALL sp_sparkify_create_role('analysts');

-- The tables live in the warehouse's schema: reading them needs USAGE on it first.
GRANT USAGE ON SCHEMA {{ schema }} TO ROLE analysts;

GRANT SELECT ON ALL TABLES IN SCHEMA {{ schema }} TO ROLE analysts;

-- Tables the admin creates from now on (a rebuild drops and creates them all) are readable too.
-- Redshift takes TO ROLE here (dg, r_ALTER_DEFAULT_PRIVILEGES); sqlfluff 1.4's grammar does not know it yet.
ALTER DEFAULT PRIVILEGES IN SCHEMA {{ schema }}
GRANT SELECT ON TABLES TO ROLE analysts -- noqa: PRS
;
