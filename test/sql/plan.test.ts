import { describe, expect, it } from 'vitest';
import { PUBLIC_DATASET_SOURCE } from '../helpers/fixtures';
import { splitIntoBatches } from '../../src/sql/batches';
import { asAssertion, buildLoadPlan, toRedshiftSql } from '../../src/sql/plan';
import { hashSqlFiles, readSqlFiles } from '../../src/sql/sql-files';

const source = PUBLIC_DATASET_SOURCE;

describe('buildLoadPlan on sql/', () => {
  const plan = buildLoadPlan(readSqlFiles(), source);

  it('enters its own schema, then runs reset, schema, access, copy, transform, checks and the summary, in that order', () => {
    const kinds = plan.map((statement) => statement.kind);
    const order = ['namespace', 'reset', 'schema', 'access', 'copy', 'transform', 'check', 'summary'];
    expect([...new Set(kinds)]).toEqual(order);
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(kinds.at(-1)).toBe('summary');
  });

  it('creates the schema and puts it first on the search path before any table is named, dropping only its own tables', () => {
    expect(plan.slice(0, 2).map((statement) => statement.sql)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "sparkify";',
      expect.stringMatching(/^SET search_path TO "sparkify", public\b/),
    ]);
    const drop = plan.find((statement) => statement.kind === 'reset')?.sql ?? '';
    const dropped = drop.replace(/^DROP TABLE IF EXISTS\s+/, '').replace(/;$/, '').split(/,\s*/);
    expect(dropped.length).toBeGreaterThan(5);
    for (const table of dropped) expect(table).toMatch(/^"sparkify"\.[a-z_]+$/);
  });

  it('renders the schema it is given as a quoted identifier, and refuses a name that is not one', () => {
    const elsewhere = buildLoadPlan(readSqlFiles(), { ...source, schema: 'team_a' });
    expect(elsewhere[0].sql).toBe('CREATE SCHEMA IF NOT EXISTS "team_a";');
    expect(elsewhere.find((statement) => statement.kind === 'reset')?.sql).toContain('"team_a".users');
    expect(() => buildLoadPlan(readSqlFiles(), { ...source, schema: 'a"; DROP TABLE users; --' })).toThrow(/not a usable schema name/);
  });

  it('opens every Data API batch with the schema statements when the load needs more than one batch', () => {
    const many = Array.from({ length: 90 }, (_, index) => `INSERT INTO songs VALUES (${index});`).join('\n');
    const files = [
      { name: '00_activate_schema.sql', text: 'CREATE SCHEMA IF NOT EXISTS {{ schema }};\nSET search_path TO {{ schema }}, public;' },
      { name: '05_transform.sql', text: many },
    ];
    const batches = splitIntoBatches(toRedshiftSql(buildLoadPlan(files, source)));
    expect(batches.length).toBe(3);
    const opening = ['CREATE SCHEMA IF NOT EXISTS "sparkify";', 'SET search_path TO "sparkify", public;'];
    for (const batch of batches) expect(batch.slice(0, 2)).toEqual(opening);
    expect(batches.flatMap((batch) => batch.slice(2))).toEqual(many.split('\n'));
  });

  it('renders the event COPY with JSONPaths, the role, the region and MAXERROR', () => {
    const events = plan.find((statement) => statement.kind === 'copy' && /staging_events/.test(statement.sql));
    expect(events?.sql).toBe(
      [
        'COPY staging_events',
        "FROM 's3://udacity-dend/log_data'",
        "IAM_ROLE 'arn:aws:iam::123456789012:role/copy'",
        "FORMAT AS JSON 's3://udacity-dend/log_json_path.json'",
        "REGION 'us-west-2'",
        'MAXERROR 0',
        'COMPUPDATE OFF',
        'STATUPDATE ON;',
      ].join('\n'),
    );
  });

  it("maps song keys by name ('auto'), which is right for their snake_case keys", () => {
    const songs = plan.find((statement) => statement.kind === 'copy' && /staging_songs/.test(statement.sql));
    expect(songs?.sql).toContain("FROM 's3://udacity-dend/song_data'");
    expect(songs?.sql).toContain("FORMAT AS JSON 'auto'");
  });

  it('never uses plain auto for the camelCase event keys', () => {
    const events = plan.filter((statement) => /COPY staging_events/.test(statement.sql));
    expect(events).toHaveLength(1);
    expect(events[0].sql).not.toMatch(/JSON 'auto'/);
  });

  it('escapes hostile configuration values as literals', () => {
    const hostile = buildLoadPlan(readSqlFiles(), {
      ...source,
      bucket: "b'x",
      logPrefix: "logs'; DROP TABLE users; --\\",
      region: "us-west-2' --",
      copyRoleArn: "arn:aws:iam::1:role/a'b",
    });
    const copy = hostile.find((statement) => /COPY staging_events/.test(statement.sql))?.sql ?? '';
    expect(copy).toContain("FROM 's3://b''x/logs''; DROP TABLE users; --\\\\'");
    expect(copy).toContain("REGION 'us-west-2'' --'");
    expect(copy).toContain("IAM_ROLE 'arn:aws:iam::1:role/a''b'");
  });

  it('names every check', () => {
    const checks = plan.filter((statement) => statement.kind === 'check');
    expect(checks.length).toBeGreaterThanOrEqual(6);
    for (const check of checks) expect(check.checkName).toMatch(/^[a-z0-9_]+$/);
    expect(new Set(checks.map((check) => check.checkName)).size).toBe(checks.length);
  });

  it('refuses a check without a name and a file of unknown kind', () => {
    expect(() => buildLoadPlan([{ name: '06_checks.sql', text: 'SELECT 0 AS failures;' }], source)).toThrow(/check: name/);
    expect(() => buildLoadPlan([{ name: '08_extra.sql', text: 'SELECT 1;' }], source)).toThrow(/unknown file/);
  });
});

describe('checks on Redshift', () => {
  it('become assertions that fail the transaction when a check finds rows', () => {
    const plan = buildLoadPlan([{ name: '06_checks.sql', text: '-- check: demo\nSELECT 3 AS failures;' }], source);
    expect(toRedshiftSql(plan)).toEqual([asAssertion(plan[0])]);
    expect(asAssertion(plan[0])).toBe(
      'SELECT 1 / CASE WHEN failures = 0 THEN 1 ELSE 0 END AS demo_passed\nFROM (\nSELECT 3 AS failures\n) AS check_result;',
    );
  });
});

describe('hashSqlFiles', () => {
  it('changes when any file changes', () => {
    const files = readSqlFiles();
    const edited = files.map((file, index) => (index === 2 ? { ...file, text: `${file.text}\n` } : file));
    expect(hashSqlFiles(edited)).not.toBe(hashSqlFiles(files));
    expect(hashSqlFiles(files)).toBe(hashSqlFiles(readSqlFiles()));
  });
});

describe('load modes', () => {
  it('an incremental load keeps the tables and their grants: no reset or access statements, the rest unchanged', () => {
    const rebuild = buildLoadPlan(readSqlFiles(), source, 'rebuild');
    const incremental = buildLoadPlan(readSqlFiles(), source, 'incremental');
    for (const kind of ['reset', 'access']) expect(rebuild.filter((statement) => statement.kind === kind).length).toBeGreaterThan(0);
    expect(incremental).toEqual(rebuild.filter((statement) => statement.kind !== 'reset' && statement.kind !== 'access'));
  });
});
