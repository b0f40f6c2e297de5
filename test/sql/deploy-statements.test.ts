import { copyFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployStatements, scheduledRunStatements } from '../../src/cli/deploy-statements';
import { splitIntoBatches } from '../../src/sql/batches';
import { postgresOnlyConstructs } from '../../src/sql/redshift-compat';
import { PROJECT_ROOT, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { SQLFLUFF_AVAILABLE, sqlfluffFindings } from '../helpers/sqlfluff';

const VARIANTS: Record<string, Record<string, string>> = {
  default: {},
  serverless: { serverless: 'true' },
  sampleData: { sampleData: 'true' },
  crossRegion: { sourceBucket: 'my-events', sourceRegion: 'eu-west-1', logPrefix: 'raw/logs', songPrefix: 'raw/songs' },
};

/** No Postgres-only construct in any statement, and (where sqlfluff is installed) all parse with the Redshift grammar. */
function expectRedshiftOnly(statements: readonly string[]): void {
  for (const sql of statements) expect(postgresOnlyConstructs(sql), sql).toEqual([]);
  if (!SQLFLUFF_AVAILABLE) return;
  const dir = tempDir();
  copyFileSync(path.join(PROJECT_ROOT, '.sqlfluff'), path.join(dir, '.sqlfluff'));
  writeFileSync(path.join(dir, 'rendered.sql'), `${statements.join('\n\n')}\n`);
  expect(sqlfluffFindings('rendered.sql', dir)).toEqual([]);
}

describe.each(Object.entries(VARIANTS))('the statements a %s deploy sends', (_name, context) => {
  it('use nothing Redshift lacks and parse with the Redshift grammar', { timeout: 120_000 }, async () => {
    const statements = await deployStatements(context);
    expect(statements.length).toBeGreaterThan(20);
    expectRedshiftOnly(statements);
  });
});

describe('the statements a scheduled run sends', () => {
  it('use nothing Redshift lacks, parse with the Redshift grammar and fit one batch', { timeout: 120_000 }, async () => {
    const statements = await scheduledRunStatements({ sourceBucket: 'my-events', sourceRegion: 'eu-west-1', logPrefix: 'raw/logs' });
    expect(splitIntoBatches(statements)).toHaveLength(1);
    expect(statements.join('\n')).toContain("FROM 's3://<runs-bucket>/runs/<request-id>/log_data.manifest'");
    expect(statements.join('\n')).toContain("FORMAT AS JSON 's3://my-events/log_json_path.json'\nMANIFEST\nGZIP\nREGION 'eu-west-1'");
    expectRedshiftOnly(statements);
  });
});

describe('npm run sql', () => {
  it('prints the statements with a line before each batch, the role as given', { timeout: 120_000 }, async () => {
    const run = await runCli('sql.ts', ['--source-region', 'eu-west-1', '--role-arn', 'arn:aws:iam::123456789012:role/copy']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith('-- batch 1\n\nCREATE SCHEMA IF NOT EXISTS "sparkify";\n\nSET search_path TO "sparkify", public')).toBe(true);
    expect(run.stdout).toContain('DROP TABLE IF EXISTS\n"sparkify".songplays, "sparkify".users,');
    expect(run.stdout).toContain("IAM_ROLE 'arn:aws:iam::123456789012:role/copy'");
    // The deploy's COPYs read the compacted files in the staging bucket, in the warehouse's region: the source region is onEvent's, not COPY's.
    expect(run.stdout).not.toContain('REGION');
    const json = await runCli('sql.ts', ['--json', '--serverless', 'true']);
    const { batches } = JSON.parse(json.stdout) as { batches: string[][] };
    expect(batches.flat()).toEqual(await deployStatements({ serverless: 'true' }));
    expect(batches.flat().every((statement) => statement.trimEnd().endsWith(';'))).toBe(true);
  });

  it('--scheduled-run prints what one scheduled run sends', { timeout: 120_000 }, async () => {
    const run = await runCli('sql.ts', ['--scheduled-run', '--json', '--source-region', 'us-east-1', '--source-bucket', 'raw']);
    expect(run.code, run.stderr).toBe(0);
    const { batches } = JSON.parse(run.stdout) as { batches: string[][] };
    expect(batches.flat()).toEqual(await scheduledRunStatements({ sourceRegion: 'us-east-1', sourceBucket: 'raw' }));
  });

  it('refuses an option the app does not have', async () => {
    const run = await runCli('sql.ts', ['--nodes', '3']);
    expect(run.code).toBe(2);
  });
});
