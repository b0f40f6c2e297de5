import type { LocalDatabase } from './database';

/**
 * Which schema a local run may load: only one this tool made, and only from the source
 * it was loaded from. The tool's own table in the schema marks it and records the source.
 */

/** The table marking a schema as a warehouse of this tool; its one row is the source it is loaded from. */
export const SCHEMA_MARKER_TABLE = 'sparkify_warehouse';

/** Every table a warehouse of this tool holds (sql/01_drop.sql drops these but the marker). */
const OWN_TABLES = new Set([
  'staging_events',
  'staging_songs',
  'songplays',
  'users',
  'songs',
  'artists',
  'time',
  'load_manifest',
  SCHEMA_MARKER_TABLE,
]);

/** Thrown when the schema holds tables this tool did not create. */
export class ForeignSchemaError extends Error {}

/** Thrown when the warehouse was loaded from another source than this run's. */
export class OtherSourceError extends Error {}

/** What {@link claimSchema} checks and records. */
export interface SchemaClaim {
  /** The warehouse's schema (already created and first on the search path). */
  readonly schema: string;
  /** The real absolute path of the data folder this run loads. */
  readonly source: string;
  /** Whether the run rebuilds the warehouse (then a new source replaces the old). */
  readonly rebuild: boolean;
  /** Where the warehouse is, for messages (a folder, or a server). */
  readonly where: string;
}

/**
 * Makes sure the run may load the schema, then records it as this tool's with the run's
 * source, in the run's transaction. A schema with tables but no marker is refused, unless
 * all its tables are this tool's and one is `load_manifest` (a warehouse an earlier
 * version made, before the marker). A marked warehouse loaded from another source is
 * refused unless the run rebuilds it.
 * @throws ForeignSchemaError, OtherSourceError
 */
export async function claimSchema(db: LocalDatabase, claim: SchemaClaim): Promise<void> {
  const tables = (
    await db.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [claim.schema])
  ).map((row) => row.name);
  if (!tables.includes(SCHEMA_MARKER_TABLE)) {
    const foreign = tables.filter((table) => !OWN_TABLES.has(table));
    const earlierWarehouse = tables.includes('load_manifest') && foreign.length === 0;
    if (tables.length > 0 && !earlierWarehouse) {
      throw new ForeignSchemaError(
        `Schema ${claim.schema} in ${claim.where} holds tables this tool did not create (${tables.slice(0, 5).join(', ')}` +
          `${tables.length > 5 ? ', …' : ''}), so the warehouse cannot be loaded there and none of them was changed. ` +
          'Pass --schema with another name (a new schema is created).',
      );
    }
    await db.query(`CREATE TABLE ${SCHEMA_MARKER_TABLE} (source VARCHAR(4096) NOT NULL)`);
  } else {
    const [recorded] = await db.query<{ source: string }>(`SELECT source FROM ${SCHEMA_MARKER_TABLE}`);
    if (recorded && recorded.source !== claim.source && !claim.rebuild) {
      throw new OtherSourceError(
        `The warehouse in ${claim.where} (schema ${claim.schema}) was loaded from ${recorded.source}, not from ${claim.source}; ` +
          'loading both into one warehouse would mix them, so nothing was loaded. ' +
          'Run with --reset to rebuild it from the new source, or load it into another --db or --schema.',
      );
    }
  }
  await db.query(`DELETE FROM ${SCHEMA_MARKER_TABLE}`);
  await db.query(`INSERT INTO ${SCHEMA_MARKER_TABLE} (source) VALUES ($1)`, [claim.source]);
}
