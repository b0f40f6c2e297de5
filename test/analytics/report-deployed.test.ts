import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataApi } from '../../src/data-api/client';
import { localReader } from '../../src/analytics/queries';
import { dataApiReader } from '../../src/analytics/remote-query';
import { buildReport } from '../../src/analytics/report';
import { openPglite } from '../../src/local/database';
import { runLocalEtl } from '../../src/local/runner';
import { startDataApiStandIn, type DataApiStandIn } from '../../src/rehearsal/data-api-stand-in';
import { roleCredentials } from '../../src/rehearsal/lambda-runtime';
import { ANALYSTS_DATABASE_ROLE } from '../../src/sql/access';
import { DEFAULT_WAREHOUSE_SCHEMA } from '../../src/sql/plan';
import { tempDir } from '../helpers/fixtures';
import { handMadeSample } from './hand-made-sample';

/**
 * `npm run report -- --stack` reads the deployed warehouse through the Data API as the
 * analysts' IAM identity: here the same warehouse is read both ways, through the
 * Redshift Data API stand-in (as IAMR:<role>, holding the role analysts through its
 * RedshiftDbRoles tag, no secret) and locally, and the two reports must be the same page.
 */
const GENERATED_AT = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const ANALYST_ROLE = 'SparkifyAnalystsRole';
/** An IAM role without the RedshiftDbRoles tag. */
const OTHER_ROLE = 'SomeOtherRole';

/** Vega numbers the clip paths of its charts from a counter of the process: the rest of the page must match. */
const withoutChartClipIds = (html: string) => html.replace(/clip\d+/g, 'clip');

describe('the report of a deployed warehouse, read as an analyst through the Data API', () => {
  const dir = path.join(tempDir(), 'warehouse');
  let local: string;
  let standIn: DataApiStandIn;

  beforeAll(async () => {
    const engine = await openPglite(dir);
    await runLocalEtl(engine, { dataDir: handMadeSample(), rebuild: true });
    local = await buildReport(localReader(engine.db), GENERATED_AT);
    await engine.close();
    standIn = await startDataApiStandIn({
      database: { pgliteDir: dir },
      bucketFolder: () => undefined,
      secrets: {},
      adminUser: 'sparkify_admin',
      accessKeys: { [roleCredentials(ANALYST_ROLE).accessKeyId]: ANALYST_ROLE, [roleCredentials(OTHER_ROLE).accessKeyId]: OTHER_ROLE },
      databaseRoles: { [ANALYST_ROLE]: [ANALYSTS_DATABASE_ROLE] },
    });
    // What sql/03_grant_read.sql does on a deploy: the role, use of the warehouse's schema, and read on every table in it.
    // Nothing of the warehouse is in public: the report finds its tables only through the schema.
    await standIn.query(`CREATE ROLE ${ANALYSTS_DATABASE_ROLE}`);
    await standIn.query(`GRANT USAGE ON SCHEMA ${DEFAULT_WAREHOUSE_SCHEMA} TO ROLE ${ANALYSTS_DATABASE_ROLE}`);
    await standIn.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${DEFAULT_WAREHOUSE_SCHEMA} TO ROLE ${ANALYSTS_DATABASE_ROLE}`);
    expect(await standIn.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  }, 120_000);
  afterAll(async () => standIn?.close());

  const signedInAs = (role: string) =>
    new DataApi(new RedshiftDataClient({ endpoint: standIn.endpoint, region: 'us-east-1', credentials: roleCredentials(role), maxAttempts: 1 }));
  const target = { database: 'sparkify', workgroupName: 'sparkify-wg' };
  const noWait = async () => undefined;

  it('is the page the local warehouse gives', async () => {
    const deployed = await buildReport(dataApiReader(signedInAs(ANALYST_ROLE), target, noWait), GENERATED_AT);
    expect(withoutChartClipIds(deployed)).toBe(withoutChartClipIds(local));
    const users = standIn.calls.filter((call) => call.operation === 'BatchExecuteStatement').map((call) => call.databaseUser);
    expect(new Set(users)).toEqual(new Set([`IAMR:${ANALYST_ROLE}`]));
  });

  it('is refused, not reported empty, for an IAM identity without the role', async () => {
    await expect(buildReport(dataApiReader(signedInAs(OTHER_ROLE), target, noWait))).rejects.toThrow(/permission denied/);
  });

  // Last: it empties the fact table.
  it('with no plays, says how a deployed warehouse gets loaded, not how a local one does', async () => {
    await standIn.query(`DELETE FROM ${DEFAULT_WAREHOUSE_SCHEMA}.songplays`);
    const html = await buildReport(dataApiReader(signedInAs(ANALYST_ROLE), target, noWait), GENERATED_AT);
    expect(html).toContain('<h2>Nothing loaded yet</h2>');
    expect(html).toContain('npx cdk deploy');
    expect(html).toContain('npm run report -- --stack');
    expect(html).not.toContain('npm run local');
  });
});
