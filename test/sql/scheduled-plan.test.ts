import { describe, expect, it } from 'vitest';
import { openPglite } from '../../src/local/database';
import { asAssertion, toRedshiftSql, type PlannedStatement } from '../../src/sql/plan';
import { adaptForPostgres } from '../../src/sql/postgres';
import { buildScheduledPlan, overlaySqlFiles, readScheduledSql, type ScheduledRun } from '../../src/sql/scheduled-plan';
import { splitIntoBatches } from '../../src/sql/batches';
import { PUBLIC_DATASET_SOURCE } from '../helpers/fixtures';

const sql = readScheduledSql();
const source = PUBLIC_DATASET_SOURCE;
const RUN: ScheduledRun = {
  fileListUri: 's3://runs-bucket/runs/r1/files.json',
  logManifestUri: 's3://runs-bucket/runs/r1/log_data.manifest',
  songManifestUri: 's3://runs-bucket/runs/r1/song_data.manifest',
};
const copies = (plan: readonly PlannedStatement[]) => plan.filter((statement) => statement.kind === 'copy').map((statement) => statement.sql);

describe('overlaySqlFiles', () => {
  it('replaces a file of the same name and adds the others in name order', () => {
    const merged = overlaySqlFiles(
      [
        { name: '01_a.sql', text: 'base a' },
        { name: '02_b.sql', text: 'base b' },
        { name: '03_c.sql', text: 'base c' },
      ],
      [
        { name: '02_b.sql', text: 'over b' },
        { name: '02_b_more.sql', text: 'over b more' },
        { name: '03_b.sql', text: 'over 3b' },
      ],
    );
    expect(merged.map((file) => [file.name, file.text])).toEqual([
      ['01_a.sql', 'base a'],
      ['scheduled/02_b.sql', 'over b'],
      ['scheduled/02_b_more.sql', 'over b more'],
      ['scheduled/03_b.sql', 'over 3b'],
      ['03_c.sql', 'base c'],
    ]);
  });
});

describe('buildScheduledPlan on sql/ with sql/scheduled/', () => {
  const plan = buildScheduledPlan(sql, source, RUN);

  it('is incremental: the search path, claim, schema, COPYs, transform, checks, recording, summary', () => {
    const kinds = plan.map((statement) => statement.kind);
    expect(kinds).not.toContain('reset');
    expect(kinds).not.toContain('access');
    const order = ['namespace', 'claim', 'schema', 'copy', 'transform', 'check', 'manifest', 'summary'];
    expect([...new Set(kinds)]).toEqual(order);
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  });

  it('enters the schema the deploy created, locks load_manifest before anything else, and COPYs from the run’s manifests only', () => {
    expect(plan[0]).toMatchObject({ kind: 'namespace', sql: expect.stringMatching(/^SET search_path TO "sparkify", public\b/) });
    expect(plan.filter((statement) => /CREATE SCHEMA/.test(statement.sql))).toEqual([]);
    expect(plan[1]).toMatchObject({ kind: 'claim', sql: 'LOCK load_manifest;' });
    const copy = copies(plan);
    expect(copy.join('\n')).not.toMatch(/FROM 's3:\/\/udacity-dend\/(log_data|song_data)'/);
    expect(copy).toContainEqual(
      [
        'COPY staging_events',
        "FROM 's3://runs-bucket/runs/r1/log_data.manifest'",
        "IAM_ROLE 'arn:aws:iam::123456789012:role/copy'",
        "FORMAT AS JSON 's3://udacity-dend/log_json_path.json'",
        'MANIFEST',
        'GZIP',
        "REGION 'us-west-2'",
        'MAXERROR 0',
        'COMPUPDATE OFF',
        'STATUPDATE ON;',
      ].join('\n'),
    );
    const songs = copy.find((statement) => statement.startsWith('COPY staging_songs'));
    expect(songs).toContain("FROM 's3://runs-bucket/runs/r1/song_data.manifest'");
    expect(songs).toMatch(/FORMAT AS JSON 'auto'\nMANIFEST/);
    expect(copy.find((statement) => statement.startsWith('COPY staging_files'))).toContain("FROM 's3://runs-bucket/runs/r1/files.json'");
  });

  it('leaves out the COPY of a kind of file the run found nothing new of', () => {
    const eventsOnly = copies(buildScheduledPlan(sql, source, { ...RUN, songManifestUri: undefined }));
    expect(eventsOnly.some((statement) => statement.startsWith('COPY staging_events'))).toBe(true);
    expect(eventsOnly.some((statement) => statement.startsWith('COPY staging_songs'))).toBe(false);
    const recordOnly = copies(buildScheduledPlan(sql, source, { fileListUri: RUN.fileListUri }));
    expect(recordOnly.filter((statement) => statement.startsWith('COPY'))).toEqual([expect.stringMatching(/^COPY staging_files/)]);
  });

  it('records the files after the checks, refusing any another load recorded meanwhile', () => {
    const recordCheck = plan.find((statement) => statement.checkName === 'files_not_loaded_before');
    const insert = plan.find((statement) => statement.kind === 'manifest');
    expect(recordCheck).toMatchObject({ file: 'scheduled/06_record_files.sql', failureHint: expect.stringMatching(/^another load recorded/) });
    expect(insert?.sql).toMatch(/^INSERT INTO load_manifest .*\nSELECT .*\nFROM staging_files;$/);
    expect(plan.indexOf(recordCheck as PlannedStatement)).toBeLessThan(plan.indexOf(insert as PlannedStatement));
    expect(plan.findLastIndex((statement) => statement.file === '06_checks.sql')).toBeLessThan(plan.indexOf(recordCheck as PlannedStatement));
  });

  it('fits one Data API batch, so a run is one transaction', () => {
    expect(splitIntoBatches(toRedshiftSql(plan))).toHaveLength(1);
  });

  it('escapes hostile configuration and run values as literals', () => {
    const hostile = buildScheduledPlan(
      sql,
      { ...source, bucket: "b'x", jsonPathsKey: 'paths\\;.json', region: "us-west-2'; --", copyRoleArn: "arn:aws:iam::1:role/a'b" },
      { ...RUN, logManifestUri: "s3://r/runs/x'; DROP TABLE users; --/log.manifest" },
    );
    const events = copies(hostile).find((statement) => statement.startsWith('COPY staging_events')) ?? '';
    expect(events).toContain("FROM 's3://r/runs/x''; DROP TABLE users; --/log.manifest'");
    expect(events).toContain("FORMAT AS JSON 's3://b''x/paths\\\\;.json'");
    expect(events).toContain("REGION 'us-west-2''; --'");
    expect(events).toContain("IAM_ROLE 'arn:aws:iam::1:role/a''b'");
    expect(() => buildScheduledPlan(sql, { ...source, region: 'us-west-2\nDROP TABLE users;' }, RUN)).toThrow(/control character U\+000a/);
  });
});

describe('the recording of files, run on PGlite', () => {
  const plan = buildScheduledPlan(sql, source, RUN);
  const postgresSql = (statement: PlannedStatement) => adaptForPostgres(statement.kind === 'check' ? asAssertion(statement) : statement.sql);
  const claim = plan.filter((statement) => statement.kind === 'claim');
  const record = plan.filter((statement) => statement.file === 'scheduled/06_record_files.sql');
  const stage = "INSERT INTO staging_files VALUES ('log_data/2018/11/2018-11-02-events.json', 10, '2018-11-03 00:00:00', 'abc', 7)";

  it('records the staged files, and a second load of the same file fails its check and rolls back', async () => {
    const engine = await openPglite();
    try {
      for (const statement of plan.filter((s) => s.kind === 'schema')) await engine.db.query(adaptForPostgres(statement.sql));
      const load = () =>
        engine.transaction(async (db) => {
          for (const statement of [...claim, ...record]) {
            await db.query(postgresSql(statement));
            if (statement.sql.startsWith('CREATE TEMPORARY TABLE staging_files')) await db.query(stage);
          }
        });
      await load();
      await engine.db.query('DROP TABLE staging_files'); // Redshift drops it with the Data API session
      const manifest = () => engine.db.query<Record<string, unknown>>('SELECT file_key, size_bytes, content_hash, rows_loaded FROM load_manifest');
      const recorded = await manifest();
      expect(recorded).toEqual([
        { file_key: 'log_data/2018/11/2018-11-02-events.json', size_bytes: expect.anything(), content_hash: 'abc', rows_loaded: expect.anything() },
      ]);
      expect(recorded.map((row) => [Number(row.size_bytes), Number(row.rows_loaded)])).toEqual([[10, 7]]);

      await expect(load()).rejects.toThrow(/division by zero/);
      expect(await manifest()).toEqual(recorded);
    } finally {
      await engine.close();
    }
  });
});
