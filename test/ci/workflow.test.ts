import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { NO_REAL_SAMPLE_VARIABLE } from '../helpers/udacity-sample';

/*
 * The CI workflow, the README's CI section and package.json must agree, or the deploy
 * job cannot assume its role. The rules, and where they come from:
 * - GitHub, "About security hardening with OpenID Connect" / "OpenID Connect reference",
 *   example subject claims: a job that references an environment presents
 *   sub = repo:ORG/REPO:environment:NAME; without one, a push presents
 *   repo:ORG/REPO:ref:refs/heads/BRANCH and a pull request repo:ORG/REPO:pull_request.
 *   A job needs `permissions: id-token: write` to request the token at all.
 * - AWS IAM user guide, "Configuring a role for GitHub OIDC identity provider": the trust
 *   policy conditions on token.actions.githubusercontent.com:sub and :aud, the audience
 *   being sts.amazonaws.com, which aws-actions/configure-aws-credentials asks for unless
 *   its `audience` input says otherwise.
 */

const WORKFLOW_DIR = path.join(PROJECT_ROOT, '.github', 'workflows');
const WORKFLOW_FILES = readdirSync(WORKFLOW_DIR).filter((name) => /\.ya?ml$/.test(name)).sort();
const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
/** The README's placeholder for the repository in the subjects it names. */
const REPO = 'ORG/REPO';
const PROVIDER = 'token.actions.githubusercontent.com';
const CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on'?: unknown;
  container?: string | { image: string };
  environment?: string | { name: string };
  permissions?: string | Record<string, string>;
  if?: string;
  strategy?: { matrix?: { node?: unknown[] } };
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: string | string[] | Record<string, { branches?: string[] } | null>;
  permissions?: string | Record<string, string>;
  jobs: Record<string, Job>;
}

function readWorkflow(file: string): Workflow {
  // yaml 2 reads YAML 1.2 as GitHub does: `on` is a key, not the boolean it is in YAML 1.1.
  return parse(readFileSync(path.join(WORKFLOW_DIR, file), 'utf8')) as Workflow;
}

/** The events a workflow runs on, with the branches of each (undefined: any). */
function triggers(workflow: Workflow): Map<string, string[] | undefined> {
  const on = workflow.on;
  if (typeof on === 'string') return new Map([[on, undefined]]);
  if (Array.isArray(on)) return new Map(on.map((event) => [event, undefined]));
  return new Map(Object.entries(on).map(([event, filter]) => [event, filter?.branches]));
}

/**
 * The OIDC subjects a job can present, by GitHub's default subject template: its
 * environment's when it names one, else the pushed branch's or the pull request's.
 */
function subjectsOf(workflow: Workflow, job: Job): string[] {
  if (job.environment !== undefined) {
    const name = typeof job.environment === 'string' ? job.environment : job.environment.name;
    expect(name, 'an environment given by an expression has no subject to trust in advance').not.toContain('${{');
    return [`repo:${REPO}:environment:${name}`];
  }
  const subjects: string[] = [];
  for (const [event, branches] of triggers(workflow)) {
    if (event === 'push') {
      expect(branches, 'a push to any branch would present any branch as subject').toBeDefined();
      for (const branch of branches ?? []) subjects.push(`repo:${REPO}:ref:refs/heads/${branch}`);
    } else if (event === 'pull_request' && !/github\.event_name\s*==\s*'push'/.test(job.if ?? '')) {
      subjects.push(`repo:${REPO}:pull_request`);
    } else if (event !== 'pull_request') {
      throw new Error(`no subject rule here for a job that can run on ${event}`);
    }
  }
  return subjects;
}

interface TrustPolicy {
  Statement: {
    Effect: string;
    Principal: { Federated: string };
    Action: string;
    Condition: Record<string, Record<string, string | string[]>>;
  }[];
}

/** The trust policy in the JSON block of the README's CI section. */
function readmeTrustPolicy(): TrustPolicy {
  const section = README.slice(README.indexOf('\n### CI\n'));
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]);
  const policies = blocks.filter((block) => block.includes('sts:AssumeRoleWithWebIdentity'));
  expect(policies, "the README's CI section gives the deploy role's trust policy as one JSON block").toHaveLength(1);
  return JSON.parse(policies[0]) as TrustPolicy;
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : [value].flat());

/** Every job of every workflow that takes AWS credentials from the OIDC role. */
const credentialJobs = WORKFLOW_FILES.flatMap((file) => {
  const workflow = readWorkflow(file);
  return Object.entries(workflow.jobs)
    .filter(([, job]) => (job.steps ?? []).some((step) => step.uses?.startsWith(`${CREDENTIALS_ACTION}@`)))
    .map(([name, job]) => ({ label: `${file}: ${name}`, workflow, job }));
});

describe('the CI deploy and its OIDC role', () => {
  it('has a job that takes AWS credentials from the role', () => {
    expect(credentialJobs.map((entry) => entry.label)).toEqual(['ci.yml: deploy']);
  });

  it.each(credentialJobs)('$label may request an OIDC token, and only it', ({ workflow, job }) => {
    expect(job.permissions).toMatchObject({ 'id-token': 'write' });
    // The workflow-wide permissions reach every other job: they must not hand out tokens.
    expect(typeof workflow.permissions === 'object' ? workflow.permissions['id-token'] : workflow.permissions).not.toBe('write');
    expect(workflow.permissions).not.toBe('write-all');
  });

  it.each(credentialJobs)("$label presents exactly the subject the README's trust policy names", ({ workflow, job }) => {
    const policy = readmeTrustPolicy();
    expect(policy.Statement).toHaveLength(1);
    const [statement] = policy.Statement;
    expect(statement.Effect).toBe('Allow');
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement.Principal.Federated).toMatch(new RegExp(`^arn:aws:iam::[A-Z_0-9]+:oidc-provider/${PROVIDER.replace(/\./g, '\\.')}$`));
    // Exact matches only: no StringLike wildcards, no other operators widening the trust.
    expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
    const trusted = asList(statement.Condition.StringEquals[`${PROVIDER}:sub`]);
    expect(trusted.sort()).toEqual(subjectsOf(workflow, job).sort());
  });

  it.each(credentialJobs)('$label asks for the audience the trust policy accepts, sts.amazonaws.com', ({ job }) => {
    const [statement] = readmeTrustPolicy().Statement;
    expect(statement.Condition.StringEquals[`${PROVIDER}:aud`]).toBe('sts.amazonaws.com');
    for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith(`${CREDENTIALS_ACTION}@`))) {
      expect(step.with?.audience ?? 'sts.amazonaws.com').toBe('sts.amazonaws.com');
      expect(step.with?.['role-to-assume']).toBeTruthy();
    }
  });

  it('keeps the deploy behind the production environment (its approval gate)', () => {
    const deploy = credentialJobs.find((entry) => entry.label === 'ci.yml: deploy');
    expect(deploy?.job.environment).toBe('production');
  });
});

describe("the CI workflow runs what the README and .ci/run say CI runs", () => {
  const ci = readWorkflow('ci.yml');
  const engineMajor = /^>=\s*(\d+)/.exec(PACKAGE.engines.node)?.[1];

  it("runs .ci/run's commands, in its order, in the test job", () => {
    const ciRun = readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8').replace(/#.*$/gm, '');
    const commands = [...ciRun.matchAll(/npm ci|npm test|scripts\/[\w-]+\.sh/g)].map((match) => match[0]);
    expect(commands).toEqual(['npm ci', 'scripts/install-test-tools.sh', 'scripts/test-postgres.sh', 'npm test']);
    const runs = (ci.jobs.test.steps ?? []).map((step) => step.run ?? '');
    const at = commands.map((command) => runs.findIndex((run) => run.includes(command)));
    expect(at.every((index) => index >= 0), `${commands.join(', ')} in ${runs.join(' | ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  /** The Node major versions a job runs: its setup-node version, each of its matrix's when it names `matrix.node`. */
  const nodeMajors = (job: Job): string[] => {
    const setups = (job.steps ?? []).filter((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setups, 'one setup-node step').toHaveLength(1);
    const version = String(setups[0].with?.['node-version']);
    const matrix = job.strategy?.matrix?.node;
    return version === '${{ matrix.node }}' ? (matrix ?? []).map(String) : [version];
  };

  it("runs every job on Node versions package.json's engines admit, the test job on the lowest of them too", () => {
    expect(engineMajor, `engines.node "${PACKAGE.engines.node}" is >=MAJOR`).toBeDefined();
    for (const [name, job] of Object.entries(ci.jobs)) {
      const majors = nodeMajors(job);
      expect(majors.length, name).toBeGreaterThan(0);
      for (const major of majors) expect(Number(major), `${name} runs Node ${major}`).toBeGreaterThanOrEqual(Number(engineMajor));
      const image = typeof job.container === 'string' ? job.container : job.container?.image;
      if (image?.startsWith('node:')) expect(image, name).toMatch(/^node:\$\{\{ matrix\.node \}\}-|^node:\d+-/);
    }
    expect(nodeMajors(ci.jobs.test)).toContain(engineMajor);
  });

  it("says the real sample is not on GitHub's runners, so its tests skip there rather than fail", () => {
    // GitHub sets CI=true in every job ("Store information in variables", default variables),
    // and under CI the real-sample tests demand ../shared/data/udacity-sample, which only
    // .ci/run's machine has: without the declaration every test file reading it would fail.
    expect(ci.jobs.test.env?.[NO_REAL_SAMPLE_VARIABLE]).toBeTruthy();
    expect(readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8')).not.toContain(NO_REAL_SAMPLE_VARIABLE);
  });

  it('tests every Node major the README says is supported', () => {
    const stated = /Node\.js (\d+) and (\d+)/.exec(README.slice(README.indexOf('## Requirements')));
    expect(stated, 'README names the supported Node versions under ## Requirements').not.toBeNull();
    expect(nodeMajors(ci.jobs.test).sort()).toEqual([stated?.[1], stated?.[2]].sort());
  });
});

/** Runs the pinned @action-validator/cli (its schema is compiled in: nothing is downloaded). */
function actionValidator(file: string): { status: number | null; output: string } {
  const cli = path.join(PROJECT_ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
  const run = spawnSync(process.execPath, [cli, file], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the workflows against GitHub's workflow schema (action-validator)", () => {
  it('finds the workflows', () => {
    expect(WORKFLOW_FILES).toContain('ci.yml');
  });

  it.each(WORKFLOW_FILES)('%s is valid', (file) => {
    const result = actionValidator(path.join(WORKFLOW_DIR, file));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  const broken: Record<string, { yaml: string; mentions: string }> = {
    'a job with an unknown key': {
      yaml: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    run-on: ubuntu-latest\n    steps:\n      - run: echo hi\n',
      mentions: "'run-on'",
    },
    'a job without runs-on': {
      yaml: 'on: push\njobs:\n  test:\n    steps:\n      - run: echo hi\n',
      mentions: '/jobs/test/runs-on',
    },
    'an id-token permission that is not a level': {
      yaml: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: writ\n    steps:\n      - run: echo hi\n',
      mentions: '/jobs/test/permissions',
    },
  };
  it.each(Object.entries(broken))('rejects %s', (_name, { yaml, mentions }) => {
    const file = path.join(tempDir('sparkify-workflow-'), 'broken.yml');
    writeFileSync(file, yaml);
    const result = actionValidator(file);
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(result.output).toContain(mentions);
  });
});
