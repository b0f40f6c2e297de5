import { openPglite, openPostgres, type LocalDatabase, type LocalEngine } from '../local/database';
import { createRedshiftBuiltins } from '../sql/redshift-builtins';
import type { StandInDatabase } from './data-api-stand-in';

/**
 * The Data API stand-in's database: PGlite or a Postgres server, made to treat users as
 * Redshift does. Every statement runs in a session as one database user (a real role),
 * so ownership and privileges are checked as on Redshift: a table belongs to the user
 * who created it, and another user may not read, change or drop it without a grant.
 * Sessions run one at a time.
 */
export class StandInWarehouse {
  readonly #createdUsers = new Set<string>();
  /** The last session queued: each waits for the one before. */
  #lastSession: Promise<unknown> = Promise.resolve();

  private constructor(private readonly engine: LocalEngine) {}

  /**
   * Opens the database and prepares it once: the admin user (a superuser, as Redshift's
   * admin is), CREATE on schema public for every user (Redshift allows it; Postgres 15
   * and later do not), and the Redshift built-ins Postgres lacks.
   */
  static async open(database: StandInDatabase, adminUser: string): Promise<StandInWarehouse> {
    const engine = 'databaseUrl' in database ? await openPostgres(database.databaseUrl) : await openPglite(database.pgliteDir);
    try {
      await createUser(engine.db, adminUser, 'SUPERUSER');
      await engine.db.query('GRANT CREATE, USAGE ON SCHEMA public TO PUBLIC');
      await createRedshiftBuiltins((sql) => engine.db.query(sql));
    } catch (error) {
      await engine.close();
      throw error;
    }
    return new StandInWarehouse(engine);
  }

  /**
   * Signs an IAM identity's database user in, as Redshift does when the identity
   * connects (Data API with WorkgroupName or ClusterIdentifier and no SecretArn): creates
   * the user unless it exists (an ordinary user, as Redshift creates one on the
   * identity's first connection), then grants it each database role of `databaseRoles`
   * (what the identity's `RedshiftDbRoles` tag lists) that exists, at every sign-in, so a
   * role created since the last one is granted now. A name that is no database role is
   * ignored, as Redshift ignores it: a role that does not exist, and also a user (the
   * admin, another IAM identity's user, a `CREATE USER` one) or one of Postgres' own
   * `pg_` roles, which in Postgres are roles too but on Redshift could never be granted
   * this way.
   *
   * AWS documents the tag for Serverless (redshift-iam-access-federated-db-roles). The
   * stand-in treats a provisioned cluster (GetClusterCredentialsWithIAM) the same, which
   * AWS's Redshift pages do not confirm: on a cluster, `GRANT ROLE analysts TO` the user
   * may be needed.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-iam-access-federated-db-roles.html
   */
  async signInIamUser(user: string, databaseRoles: readonly string[] = []): Promise<void> {
    if (this.#createdUsers.has(user) && databaseRoles.length === 0) return;
    await this.#inTurn(async () => {
      if (!this.#createdUsers.has(user)) {
        await createUser(this.engine.db, user, 'NOSUPERUSER');
        if (this.engine.bulkLoadRole) await this.engine.db.query(`GRANT ${this.engine.bulkLoadRole} TO ${quoteIdentifier(user)}`);
      }
      for (const role of new Set(databaseRoles)) {
        const [found] = await this.engine.db.query<{ granted: boolean }>(GRANTABLE_ROLE, [role, user]);
        if (found && !found.granted) await this.engine.db.query(`GRANT ${quoteIdentifier(role)} TO ${quoteIdentifier(user)}`);
      }
    });
    this.#createdUsers.add(user);
  }

  /**
   * Runs `work` as `user` in one transaction, as a Data API batch runs in a session of
   * its own: committed when `work` resolves, rolled back when it throws. The session's
   * temporary tables are dropped afterwards, and its search path reset, as Redshift
   * ends the session with the batch (a batch that sets its search path sets it for itself).
   */
  asUser<T>(user: string, work: (db: LocalDatabase) => Promise<T>): Promise<T> {
    return this.#inTurn(async () => {
      try {
        return await this.engine.transaction(async (db) => {
          await db.query(`SET LOCAL ROLE ${quoteIdentifier(user)}`);
          return work(db);
        });
      } finally {
        await this.engine.db.query('DISCARD TEMP');
        await this.engine.db.query('RESET search_path');
      }
    });
  }

  /** Closes the database once the sessions queued before have ended. */
  close(): Promise<void> {
    return this.#inTurn(() => this.engine.close());
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.#lastSession.then(work, work);
    this.#lastSession = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * The database role named $1, if it is one that a sign-in may grant (no superuser, no
 * LOGIN user, no IAM identity's user, none of Postgres' own roles), and whether the user
 * $2 has it already.
 */
const GRANTABLE_ROLE = `
  SELECT EXISTS (
    SELECT 1 FROM pg_auth_members AS membership JOIN pg_roles AS member ON member.oid = membership.member
    WHERE membership.roleid = candidate.oid AND member.rolname = $2
  ) AS granted
  FROM pg_roles AS candidate
  WHERE candidate.rolname = $1 AND NOT candidate.rolsuper AND NOT candidate.rolcanlogin
    AND left(candidate.rolname, 3) <> 'pg_' AND candidate.rolname !~ '^IAMR?:'`;

/**
 * Creates a database user unless one of that name exists (CREATE ROLE has no IF NOT
 * EXISTS; on a shared server, another database's stand-in may have made it). Postgres
 * cuts names at 63 bytes, Redshift at 128: names that long are cut alike everywhere.
 */
async function createUser(db: LocalDatabase, user: string, attribute: 'SUPERUSER' | 'NOSUPERUSER'): Promise<void> {
  await db.query(
    `DO $create_user$ BEGIN CREATE ROLE ${quoteIdentifier(user)} ${attribute};
     EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $create_user$`,
  );
}

/** A user name as a quoted SQL identifier (IAM users' names have a colon: `IAMR:role`). */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
