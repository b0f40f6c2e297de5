import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnalyticsQueries, runAnalyticsQuery } from '../../src/analytics/queries';
import type { GeneratorOptions } from '../../src/generate/events';
import { DEFAULT_SAMPLE, ensureDefaultSample } from '../../src/generate/sample';
import { runLocalEtl, TABLES, type LocalRunReport } from '../../src/local/runner';
import { openPglite, type LocalDatabase } from '../../src/local/database';
import { FAULTS, INJECTED_ERROR, rehearse, type FaultName, type RehearsalOptions, type RehearsalReport, type RehearsalStep } from '../../src/rehearsal/rehearse';
import { rehearsalText } from '../../src/rehearsal/report-format';
import { DATABASE_ROLES_TAG } from '../../src/rehearsal/stack-plan';
import { synthesizeApp, type SynthesizedStack } from '../../src/rehearsal/synth';
import { runCli } from '../helpers/cli';
import { createTestDatabase } from '../helpers/engines';
import { tempDir } from '../helpers/fixtures';
import { generatedDays } from '../helpers/generated-days';
import { UDACITY_SAMPLE, udacitySamplePresent } from '../helpers/udacity-sample';

const present = udacitySamplePresent('the rehearsals on the real sample');
const STAR = ['songplays', 'users', 'songs', 'artists', 'time'] as const;

/** A small generated source, a few days of it, for the rehearsals that are about behaviour rather than figures. */
const small: GeneratorOptions = { ...DEFAULT_SAMPLE, users: 20, days: 4, songs: 30, events: 1200 };
const days = generatedDays(small);

/** What `npm run local` gives on a folder, loaded into a new warehouse (PGlite in memory: the samples are small). */
async function localFigures(dataDir: string): Promise<Pick<LocalRunReport, 'tables' | 'matchedSongplays'>> {
  const engine = await openPglite();
  try {
    const report = await runLocalEtl(engine, { dataDir, rebuild: true });
    return { tables: report.tables, matchedSongplays: report.matchedSongplays };
  } finally {
    await engine.close();
  }
}

/** A value as an analyst reads it. */
type Seen = string | null;

/**
 * A value as an analyst reads it: the text `npm run query` prints for it. The two sides
 * type the same value differently: the Data API sends integers as numbers (longValue),
 * NUMERIC as text and timestamps as text as Redshift prints them, while a local Postgres
 * client gives timestamps as Dates (node-postgres also BIGINT and NUMERIC as text). So
 * both are compared as text, a Date printed as Redshift prints a timestamp (UTC, with
 * milliseconds unless they are 0), NULL as null; text is kept as it is, so "12.50" and
 * "12.5" would still differ.
 */
function asAnalystReads(value: unknown): Seen {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '');
  return String(value);
}

/** Every analytics query's rows, each value as an analyst reads it, by query name. */
type AnalystView = Record<string, Record<string, Seen>[]>;

function seenRows(rows: readonly Record<string, unknown>[]): Record<string, Seen>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, asAnalystReads(value)])));
}

/** What each analytics query answers on a local warehouse (runAnalyticsQuery, the same SQL through the Postgres adaptation). */
async function localAnalystView(db: LocalDatabase): Promise<AnalystView> {
  const view: AnalystView = {};
  for (const query of readAnalyticsQueries()) view[query.name] = seenRows(await runAnalyticsQuery(db, query));
  return view;
}

/** `npm run local` on a folder, and then every analytics query on what it loaded. */
async function localWarehouse(dataDir: string): Promise<{ figures: Pick<LocalRunReport, 'tables' | 'matchedSongplays'>; analytics: AnalystView }> {
  const engine = await openPglite();
  try {
    const report = await runLocalEtl(engine, { dataDir, rebuild: true });
    return { figures: { tables: report.tables, matchedSongplays: report.matchedSongplays }, analytics: await localAnalystView(engine.db) };
  } finally {
    await engine.close();
  }
}

/** What the rehearsal's analysts' IAM role got from each analytics query; fails on a query that failed. */
function rehearsedAnalystView(report: RehearsalReport): AnalystView {
  const analysts = report.analysts;
  if (!analysts) throw new Error('The rehearsal ran no analysts’ queries');
  expect(analysts.queries.filter((query) => query.error).map((query) => `${query.name}: ${query.error}`)).toEqual([]);
  return Object.fromEntries(analysts.queries.map((query) => [query.name, seenRows(query.rows)]));
}

/** The IAM roles that loaded: every caller but the analysts' role. */
const loaders = (report: RehearsalReport) => report.callers.filter((caller) => caller.role !== report.analysts?.role);

/** The same synth with no RedshiftDbRoles tag on any IAM role: the plan the rehearsal reads loses the analysts' tag; the cloud assembly is only read. */
function withoutDatabaseRolesTags(synthesized: SynthesizedStack): SynthesizedStack {
  const template = structuredClone(synthesized.template);
  for (const resource of Object.values(template.Resources)) {
    const tags = resource.Properties?.Tags;
    if (resource.Type === 'AWS::IAM::Role' && Array.isArray(tags)) {
      (resource.Properties as Record<string, unknown>).Tags = tags.filter((tag: { Key?: unknown }) => tag.Key !== DATABASE_ROLES_TAG);
    }
  }
  return { ...synthesized, template };
}

/** One synth of a variant, shared by its tests. */
function sharedSynth(context: Record<string, string>): () => SynthesizedStack {
  let synthesized: SynthesizedStack | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = tempDir('sparkify-rehearsal-synth-');
    synthesized = await synthesizeApp({ context, outdir: path.join(dir, 'cdk.out') });
  }, 120_000);
  // A cloud assembly is a few MB: gone with its tests, not only when the worker exits.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => synthesized as SynthesizedStack;
}

function run(synthesized: () => SynthesizedStack, context: Record<string, string>, options: Partial<RehearsalOptions>): Promise<RehearsalReport> {
  return rehearse({ context, synthesized: synthesized(), ...options });
}

const stepNamed = (report: { steps: readonly RehearsalStep[] }, name: string) => {
  const found = report.steps.find((step) => step.name === name);
  if (!found) throw new Error(`No step ${name} in ${report.steps.map((step) => step.name).join(', ')}`);
  return found;
};
const starOf = (tables: Readonly<Record<string, number>>) => Object.fromEntries(STAR.map((table) => [table, tables[table]]));

describe('npm run rehearse', () => {
  it('answers --help, and a bad option with one clear line and exit code 2', async () => {
    const help = await runCli('rehearse.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run rehearse -- \[-c key=value \.\.\.\]/);
    const bad = await runCli('rehearse.ts', ['-c', 'serverles=true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^error: -c serverles: not a setting of the app \(stackName, serverless, /);
  });

  it.runIf(present)(
    'rehearses the provisioned cluster on the real sample: --json gives exactly the local figures, after Create, Update and Delete succeeded',
    async () => {
      const [cli, local] = await Promise.all([runCli('rehearse.ts', ['--data', UDACITY_SAMPLE, '--json']), localFigures(UDACITY_SAMPLE)]);
      expect(cli.code, cli.stderr).toBe(0);
      const report = JSON.parse(cli.stdout) as RehearsalReport;
      expect(Object.keys(report)).toEqual(['tables', 'matchedSongplays', 'attributes', 'steps']);
      expect(Object.keys(report.tables)).toEqual([...TABLES]);
      expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
      expect(report.steps.map((step) => [step.name, step.outcome, step.stackStatus])).toEqual([
        ['create', 'succeeded', 'CREATE_COMPLETE'],
        ['update', 'succeeded', 'UPDATE_COMPLETE'],
        ['delete', 'succeeded', 'DELETE_COMPLETE'],
      ]);
      expect(report.attributes).toMatchObject({ Songplays: String(local.tables.songplays), Users: String(local.tables.users), MatchedSongplays: String(local.matchedSongplays) });
    },
    120_000,
  );
});

describe('a rehearsal of the provisioned cluster', () => {
  const synthesized = sharedSynth({});

  it('re-runs the load on an Update, and leaves the data on Delete; its COPYs read only the compacted gzip files, a gzip’d event log too', async () => {
    const data = days.dataWithDays([0, 1]);
    const [gzipped] = readdirSync(path.join(data, 'log_data'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const gzippedFile = path.join(gzipped.parentPath, gzipped.name);
    writeFileSync(`${gzippedFile}.gz`, gzipSync(readFileSync(gzippedFile)));
    rmSync(gzippedFile);
    const [report, local] = await Promise.all([run(synthesized, {}, { dataDir: data }), localFigures(data)]);
    const [create, update, remove] = ['create', 'update', 'delete'].map((name) => stepNamed(report, name));
    expect(create.outcome).toBe('succeeded');
    // What each COPY of the deploy read: gzip'd parts under the staging bucket's songs/<request id>/ and events/<request id>/, no raw source file.
    for (const step of [create, update]) {
      const read = (table: string) => (step.copies ?? []).filter((copy) => copy.table === table).flatMap((copy) => copy.objects);
      for (const [table, prefix] of [['staging_songs', 'songs'], ['staging_events', 'events']]) {
        expect(read(table).length, table).toBeGreaterThan(0);
        // The rehearsal names a bucket of the stack <stack>-<logical id>-<suffix>, lower case: the staging bucket's holds "stagingbucket".
        const compacted = new RegExp(`^s3://[^/]*-stagingbucket[^/]*/${prefix}/[^/]+/part-\\d{5}-of-\\d{5}\\.json\\.gz$`);
        expect(read(table).filter((uri) => !compacted.test(uri)), table).toEqual([]);
      }
      expect((step.copies ?? []).flatMap((copy) => copy.objects).filter((uri) => /\/(song_data|log_data)\//.test(uri))).toEqual([]);
    }
    expect(create.polls).toBeGreaterThanOrEqual(1);
    expect(update.outcome).toBe('succeeded');
    // A second load: another batch, with counts of its own.
    expect(update.attributes.FirstStatementId).toBeDefined();
    expect(update.attributes.FirstStatementId).not.toBe(create.attributes.FirstStatementId);
    expect(update.attributes.Songplays).toBe(String(local.tables.songplays));
    // The load's two batches, and the analysts' queries, one batch each.
    expect(report.dataApiCalls.BatchExecuteStatement).toBe(2 + readAnalyticsQueries().length);
    expect(update.tables).toEqual(create.tables);
    expect(remove).toMatchObject({ outcome: 'succeeded', warehouseUnchanged: true, stackStatus: 'DELETE_COMPLETE' });
    expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
  });

  describe('the loaders and the analysts', () => {
    let report: RehearsalReport;
    let untagged: RehearsalReport;
    let local: AnalystView;
    // Both rehearsals at once, and the local load beside them.
    beforeAll(async () => {
      const data = days.dataWithDays([0]);
      [report, untagged, { analytics: local }] = await Promise.all([
        run(synthesized, {}, { dataDir: data }),
        rehearse({ context: {}, synthesized: withoutDatabaseRolesTags(synthesized()), dataDir: data }),
        localWarehouse(data),
      ]);
    }, 120_000);

    it('loads as the admin user, the owner of every table, and lets the analysts role read each of them', () => {
      expect(loaders(report).flatMap((caller) => caller.databaseUsers)).toEqual(['sparkify_admin']);
      const everyTable = [...TABLES, 'load_manifest'];
      expect(Object.fromEntries(everyTable.map((table) => [table, report.analystsAccess[table]]))).toEqual(
        Object.fromEntries(everyTable.map((table) => [table, 'read'])),
      );
    });

    it("the analysts' IAM role, signed in with its own identity on the cluster, gets every analytics query's local answer", () => {
      expect(report.analysts).toMatchObject({ after: 'create', failed: [], target: { database: 'sparkify', clusterIdentifier: expect.any(String) } });
      expect(report.analysts?.target.workgroupName).toBeUndefined();
      expect(report.analysts?.databaseUsers).toEqual([`IAMR:${report.analysts?.role}`]);
      expect(report.analysts?.role).toMatch(/^SparkifyWarehouse-AnalystsRole/);
      expect(rehearsedAnalystView(report)).toEqual(local);
      expect(rehearsalText(report)).toMatch(/^Analysts' queries \(sql\/analytics\/, after create\): IAM role SparkifyWarehouse-AnalystsRole/m);
    });

    it('without its RedshiftDbRoles tag the same IAM identity reads nothing: every query finds no table (no USAGE on the schema), and the report says so', () => {
      const analysts = untagged.analysts;
      expect(analysts?.databaseUsers).toEqual([`IAMR:${analysts?.role}`]);
      expect(analysts?.failed).toEqual(readAnalyticsQueries().map((query) => query.name));
      for (const query of analysts?.queries ?? []) expect(query.error, query.name).toMatch(/^The query failed: ERROR: relation "\w+" does not exist \(the warehouse's tables are in schema sparkify; a database user without USAGE on it, one not holding the database role analysts, finds none of them\)$/);
      // The deploy itself succeeds, and the database role can still read: only the tag was missing.
      expect(untagged.succeeded).toBe(true);
      expect(untagged.analystsAccess.songplays).toBe('read');
      expect(rehearsalText(untagged)).toMatch(/^The analysts could NOT query the stack: \d+ of \d+ analytics queries failed as SparkifyWarehouse-AnalystsRole\S+ \(\S+: The query failed: ERROR: relation "\w+" does not exist \(the warehouse's tables are in schema sparkify/m);
    });
  });

  describe('with a fault on the Update', () => {
    const reports = new Map<FaultName, RehearsalReport>();
    let local: Pick<LocalRunReport, 'tables' | 'matchedSongplays'>;
    // The four rehearsals at once: most of each is processes starting and waiting for one another.
    beforeAll(async () => {
      const data = days.dataWithDays([0]);
      const [figures, ...done] = await Promise.all([localFigures(data), ...FAULTS.map((fault) => run(synthesized, {}, { dataDir: data, fault }))]);
      local = figures;
      FAULTS.forEach((fault, index) => reports.set(fault, done[index]));
    }, 120_000);

    describe.each(FAULTS)('--fault %s', (fault: FaultName) => {
      let report: RehearsalReport;
      beforeAll(() => {
        report = reports.get(fault) as RehearsalReport;
      });

      if (fault === 'throttled') {
        it('still deploys: a throttled DescribeStatement is a load not finished yet', () => {
          const update = stepNamed(report, 'update');
          expect(update, update.message).toMatchObject({ outcome: 'succeeded', stackStatus: 'UPDATE_COMPLETE', fault });
          expect(update.throttledCalls).toBeGreaterThan(6);
          expect(report.succeeded).toBe(true);
          expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
        });
        return;
      }

      it("fails the stack with the handler's message and leaves the warehouse as the Create loaded it", () => {
        const update = stepNamed(report, 'update');
        expect(update).toMatchObject({ outcome: 'failed', stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', warehouseUnchanged: true, fault });
        // What CloudFormation shows: the handler's message, then where its logs are.
        expect(update.reason?.startsWith(`${update.message}\n\nLogs: /aws/lambda/`)).toBe(true);
        if (fault === 'statement-fails') expect(update.message).toMatch(new RegExp(`^Statement \\d+ of \\d+ \\(\\S*05_transform\\.sql: .*failed: ${INJECTED_ERROR.slice(0, 30)}`));
        if (fault === 'aborted') expect(update.message).toMatch(/aborted/);
        expect(update.tables).toEqual(stepNamed(report, 'create').tables);
        expect(report.succeeded).toBe(false);
      });

      it('rolls the Update back with the old properties, and Delete leaves the data', () => {
        expect(stepNamed(report, 'update-rollback')).toMatchObject({ outcome: 'succeeded', stackStatus: 'UPDATE_ROLLBACK_COMPLETE' });
        expect(stepNamed(report, 'delete')).toMatchObject({ outcome: 'succeeded', warehouseUnchanged: true });
        expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
      });

      if (fault === 'timeout') {
        it('cancels the batch before the Provider gives up, so it can never commit', () => {
          const update = stepNamed(report, 'update');
          expect(update.cancelledStatements?.length).toBeGreaterThanOrEqual(1);
          expect(update.batchStillRunning).toBeUndefined();
          expect(update.message).toMatch(/cancel/i);
          // The Provider polled every 10 s for most of the hour, on the simulated clock.
          expect(update.simulatedSeconds).toBeGreaterThan(3000);
          expect(update.simulatedSeconds).toBeLessThan(3600);
        });
      }
    });
  });

  it.runIf(process.env.SPARKIFY_TEST_DATABASE_URL)('runs on native Postgres too, with the same figures', async () => {
    const database = await createTestDatabase();
    try {
      const data = days.dataWithDays([0, 1]);
      const [report, local] = await Promise.all([run(synthesized, {}, { dataDir: data, databaseUrl: database.url }), localFigures(data)]);
      expect(report.steps.every((step) => step.outcome === 'succeeded')).toBe(true);
      expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
      // Roles are the server's: the tag's grant works there too.
      expect(report.analysts?.failed).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});

describe.runIf(present)('a rehearsal of Redshift Serverless', () => {
  const synthesized = sharedSynth({ serverless: 'true' });

  it("gives exactly the local figures on the real sample, and the analysts' IAM role the local answer to every analytics query", async () => {
    const [report, local] = await Promise.all([run(synthesized, { serverless: 'true' }, { dataDir: UDACITY_SAMPLE }), localWarehouse(UDACITY_SAMPLE)]);
    expect(report.stack.warehouse).toBe('serverless');
    expect(report.steps.map((step) => step.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local.figures);
    expect(report.analysts).toMatchObject({ after: 'create', target: { database: 'sparkify', workgroupName: expect.any(String) } });
    expect(report.analysts?.databaseUsers).toEqual([`IAMR:${report.analysts?.role}`]);
    expect(rehearsedAnalystView(report)).toEqual(local.analytics);
  });
});

describe('a rehearsal of the sampleData variant, given no --data', () => {
  const synthesized = sharedSynth({ sampleData: 'true' });

  it('loads the generated sample the stack deploys to its own bucket, with the figures npm run local gives on it', async () => {
    const [report, local] = await Promise.all([run(synthesized, { sampleData: 'true' }, {}), ensureDefaultSample().then(localFigures)]);
    expect(report.steps.map((step) => step.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect({ tables: report.tables, matchedSongplays: report.matchedSongplays }).toEqual(local);
    expect(local.tables.songplays).toBeGreaterThan(0);
  });
});

describe('a rehearsal of Redshift Serverless with a schedule', () => {
  // Serverless: where an IAM role is a database user of its own, the deploy's and the scheduled loads must share one owner.
  const context = { serverless: 'true', schedule: 'rate(1 hour)' };
  const synthesized = sharedSynth(context);
  let report: RehearsalReport;
  /** The star tables `npm run local` gives after each day, loading incrementally. */
  const localAfterDay: Record<string, number>[] = [];
  /** The analytics queries' answers on that local warehouse after the last day. */
  let localAnalytics: AnalystView;
  let dayNames: string[] = [];

  beforeAll(async () => {
    const all = days.dataWithDays([0, 1, 2, 3]);
    const rehearsal = run(synthesized, context, { dataDir: all, firstDays: 1, runs: 4 });
    const growing = days.dataWithDays([]);
    const engine = await openPglite();
    for (const day of [0, 1, 2, 3]) {
      days.addDay(growing, day);
      localAfterDay.push(starOf((await runLocalEtl(engine, { dataDir: growing })).tables));
    }
    localAnalytics = await localAnalystView(engine.db);
    await engine.close();
    dayNames = [0, 1, 2, 3].map((day) => /(\d{4}-\d{2}-\d{2})/.exec(days.sourceOf(day))?.[1] as string);
    report = await rehearsal;
  }, 120_000);

  it('the deploy loads the first day; each run loads the day that arrived; the star tables equal the local incremental loads', () => {
    expect(report.steps.map((step) => step.name)).toEqual(['create', 'scheduled-run-1', 'scheduled-run-2', 'scheduled-run-3', 'scheduled-run-4', 'update', 'delete']);
    expect(starOf(stepNamed(report, 'create').tables)).toEqual(localAfterDay[0]);
    for (const index of [1, 2, 3]) {
      const scheduled = stepNamed(report, `scheduled-run-${index}`);
      expect(scheduled, scheduled.message).toMatchObject({ outcome: 'succeeded', dayAdded: dayNames[index] });
      expect(scheduled.message).toMatch(/^loaded/);
      expect(starOf(scheduled.tables)).toEqual(localAfterDay[index]);
    }
  });

  it('a run with no new file loads nothing, and the Update reloads every day from the bucket', () => {
    const last = stepNamed(report, 'scheduled-run-4');
    expect(last).toMatchObject({ outcome: 'succeeded', message: expect.stringMatching(/^nothing-new/) });
    expect(last.dayAdded).toBeUndefined();
    expect(starOf(last.tables)).toEqual(localAfterDay[3]);
    expect(stepNamed(report, 'update').outcome).toBe('succeeded');
    expect(starOf(report.tables)).toEqual(localAfterDay[3]);
  });

  it('the deploy’s loader and the scheduled loader, two IAM roles, both run as the admin user, so each can use the other’s tables', () => {
    const loading = loaders(report).filter((caller) => caller.databaseUsers.length > 0);
    expect(loading.map((caller) => caller.role)).toHaveLength(2);
    for (const caller of loading) expect(caller.databaseUsers).toEqual(['sparkify_admin']);
  });

  it("after the scheduled runs, the analysts' IAM role, signed in with its own identity on the workgroup, gets the local answer to every analytics query", () => {
    expect(report.analysts).toMatchObject({ after: 'scheduled-run-4', target: { database: 'sparkify', workgroupName: expect.any(String) } });
    expect(report.analysts?.databaseUsers).toEqual([`IAMR:${report.analysts?.role}`]);
    expect(rehearsedAnalystView(report)).toEqual(localAnalytics);
  });
});

describe('a rehearsal of the provisioned cluster with a schedule, paused during a run', () => {
  const context = { schedule: 'rate(1 hour)' };
  const synthesized = sharedSynth(context);
  let report: RehearsalReport;
  /** The star tables `npm run local` gives after each day, loading incrementally. */
  const localAfterDay: Record<string, number>[] = [];

  beforeAll(async () => {
    // The work folder is kept (removed with the test's temporary folders) for the function's log.
    const workDir = path.join(tempDir('sparkify-rehearsal-paused-'), 'work');
    const rehearsal = run(synthesized, context, { dataDir: days.dataWithDays([0, 1, 2]), firstDays: 1, runs: 2, pausedRuns: [1], workDir });
    const growing = days.dataWithDays([]);
    const engine = await openPglite();
    for (const day of [0, 1, 2]) {
      days.addDay(growing, day);
      localAfterDay.push(starOf((await runLocalEtl(engine, { dataDir: growing })).tables));
    }
    await engine.close();
    report = await rehearsal;
  }, 120_000);

  it('the run that finds the cluster paused (DescribeClusters, through the bundled handler) loads nothing and says so', () => {
    const pausedRun = stepNamed(report, 'scheduled-run-1');
    expect(pausedRun, pausedRun.message).toMatchObject({ outcome: 'succeeded', clusterStatus: 'paused', message: 'cluster-paused' });
    expect(pausedRun.dayAdded).toBeDefined();
    expect(pausedRun.tables).toEqual(stepNamed(report, 'create').tables);
    const scheduledLoader = report.functions.find((fn) => /ScheduledLoad/.test(fn.name));
    expect(readFileSync(scheduledLoader?.log ?? '', 'utf8')).toContain('"event":"cluster-paused"');
  });

  it('the first run after the resume loads the day that arrived while it was paused and its own: the local incremental load of both', () => {
    const resumed = stepNamed(report, 'scheduled-run-2');
    expect(resumed, resumed.message).toMatchObject({ outcome: 'succeeded', clusterStatus: 'available', message: expect.stringMatching(/^loaded: \d+ new file\(s\) loaded/) });
    expect(starOf(resumed.tables)).toEqual(localAfterDay[2]);
    expect(starOf(stepNamed(report, 'create').tables)).toEqual(localAfterDay[0]);
  });
});
