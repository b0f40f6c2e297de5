import { describe, expect, it } from 'vitest';
import { IntrinsicError, TemplateResolver, asCustomResourceProperties, type CfnTemplate } from '../../src/rehearsal/intrinsics';
import { SimulatedClock, type Invocation, type LambdaFleet } from '../../src/rehearsal/lambda-runtime';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, ProviderDriver } from '../../src/rehearsal/provider-driver';
import { schedulePeriodMs, standInFault } from '../../src/rehearsal/rehearse';
import { parseDatabaseRoles, readAnalysts, readIamRoles, type LambdaFunctionSpec, type LoadResourcePlan } from '../../src/rehearsal/stack-plan';

const identity = { stackName: 'Stack', account: '123456789012', region: 'eu-west-1' };

const template: CfnTemplate = {
  Parameters: { Stage: { Type: 'String', Default: 'prod' } },
  Conditions: {
    InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
    NotIreland: { 'Fn::Not': [{ Condition: 'InIreland' }] },
  },
  Resources: {
    Role1: { Type: 'AWS::IAM::Role', Properties: {} },
    Named: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'loader', Path: '/team/' } },
    Cluster: { Type: 'AWS::Redshift::Cluster', Properties: { MasterUsername: 'admin_user', Port: 5440 } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
  },
};

describe('the intrinsic resolver', () => {
  const resolver = new TemplateResolver(template, identity);

  it('gives every Ref and GetAtt a deterministic value: generated names, role ARNs, the admin secret', () => {
    const roleArn = resolver.resolve({ 'Fn::GetAtt': ['Role1', 'Arn'] }, 'x');
    expect(roleArn).toMatch(/^arn:aws:iam::123456789012:role\/Stack-Role1-[0-9A-Z]{12}$/);
    expect(new TemplateResolver(template, identity).resolve({ 'Fn::GetAtt': ['Role1', 'Arn'] }, 'x')).toBe(roleArn);
    expect(resolver.resolve({ 'Fn::GetAtt': 'Named.Arn' }, 'x')).toBe('arn:aws:iam::123456789012:role/team/loader');
    expect(resolver.resolve({ Ref: 'Bucket' }, 'x')).toMatch(/^stack-bucket-[0-9a-z]{12}$/);
    const cluster = resolver.resolve({ Ref: 'Cluster' }, 'x');
    expect(resolver.resolve({ 'Fn::GetAtt': ['Cluster', 'MasterPasswordSecretArn'] }, 'x')).toMatch(
      new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift!${cluster}-admin_user-[0-9A-Z]{6}$`),
    );
  });

  it('resolves Join, Select, Split, Sub, If with the Conditions, parameters and pseudo parameters', () => {
    expect(
      resolver.resolve(
        {
          'Fn::Join': [
            '/',
            [
              { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
              { 'Fn::If': ['NotIreland', 'elsewhere', 'ireland'] },
              { 'Fn::Sub': '${AWS::Partition}:${AWS::AccountId}:${Stage}:${!Literal}:${Named.Arn}' },
              { 'Fn::Sub': ['${x}-${AWS::StackName}', { x: { Ref: 'AWS::URLSuffix' } }] },
            ],
          ],
        },
        'x',
      ),
    ).toBe('b/ireland/aws:123456789012:prod:${Literal}:arn:aws:iam::123456789012:role/team/loader/amazonaws.com-Stack');
    expect(resolver.resolve({ a: { Ref: 'AWS::NoValue' }, b: [1, { Ref: 'AWS::NoValue' }] }, 'x')).toEqual({ b: [1] });
  });

  it('fails on an intrinsic it does not know, naming where it is', () => {
    expect(() => resolver.resolve({ p: [{ 'Fn::ImportValue': 'Shared' }] }, 'Resources.Load.Properties')).toThrow(
      new IntrinsicError('Resources.Load.Properties.p[0].Fn::ImportValue: the rehearsal cannot resolve Fn::ImportValue'),
    );
    expect(() => resolver.resolve({ Ref: 'Missing' }, 'here')).toThrow('here.Ref: the template has no resource Missing');
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Bucket', 'Nonsense'] }, 'there')).toThrow('there.Fn::GetAtt: the rehearsal has no value for Fn::GetAtt Bucket.Nonsense (of type AWS::S3::Bucket)');
  });

  it('sends custom resource properties as CloudFormation does: numbers and booleans as strings', () => {
    expect(asCustomResourceProperties({ a: 1, b: [true, 'x'], c: { d: 2.5 } })).toEqual({ a: '1', b: ['true', 'x'], c: { d: '2.5' } });
  });
});

describe("the plan's IAM roles and analysts", () => {
  const roles: CfnTemplate = {
    Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
    Resources: {
      Analysts: {
        Type: 'AWS::IAM::Role',
        Properties: { Tags: [{ Key: 'Team', Value: 'data' }, { Key: 'RedshiftDbRoles', Value: { 'Fn::Join': [':', ['analysts', { Ref: 'AWS::NoValue' }, 'auditors']] } }] },
      },
      Loader: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'loader', Tags: [{ Key: 'Team', Value: 'data' }] } },
      Workgroup: { Type: 'AWS::RedshiftServerless::Workgroup', Properties: { WorkgroupName: 'wg' } },
    },
    Outputs: {
      AnalystRoleArn: { Value: { 'Fn::GetAtt': ['Analysts', 'Arn'] } },
      Database: { Value: 'sparkify' },
      WorkgroupName: { Value: 'wg' },
      ClusterIdentifier: { Value: 'not-this-one', Condition: 'Never' },
    },
  };
  const resolver = new TemplateResolver(roles, identity);

  it("reads each role's RedshiftDbRoles tag, resolved, as the colon-separated database roles it lists", () => {
    expect(readIamRoles(resolver).map((role) => [role.logicalId, role.roleName, role.databaseRoles])).toEqual([
      ['Analysts', expect.stringMatching(/^Stack-Analysts-[0-9A-Z]{12}$/), ['analysts', 'auditors']],
      ['Loader', 'loader', []],
    ]);
    expect(parseDatabaseRoles(' analysts ::auditors:')).toEqual(['analysts', 'auditors']);
  });

  it("finds the analysts' role and warehouse in the stack's outputs, leaving out an output whose condition is false", () => {
    const [analysts] = readIamRoles(resolver);
    expect(readAnalysts(resolver)).toEqual({ roleArn: analysts.arn, roleName: analysts.roleName, target: { database: 'sparkify', workgroupName: 'wg' } });
    expect(readAnalysts(new TemplateResolver({ Resources: roles.Resources }, identity))).toBeUndefined();
    const both = { ...roles, Outputs: { ...roles.Outputs, ClusterIdentifier: { Value: 'c' } } };
    expect(() => readAnalysts(new TemplateResolver(both, identity))).toThrow(/Outputs: Stack \S+ must name either a cluster identifier or a workgroup name, not both/);
  });
});

describe('the Provider driver', () => {
  const spec = (name: string) => ({ functionName: name, arn: `arn:${name}` }) as LambdaFunctionSpec;
  const plan: LoadResourcePlan = {
    logicalId: 'Load',
    resourceType: 'Custom::Test',
    properties: { ServiceToken: 'arn:framework', Value: '1' },
    serviceTimeoutSeconds: 3600,
    frameworkFunction: 'framework',
    onEvent: spec('on-event'),
    isComplete: spec('is-complete'),
    waiter: { intervalSeconds: 10, maxAttempts: 5, backoffRate: 1 },
  };

  /** A fleet whose functions answer from the given scripts, recording the events and the simulated times they saw. */
  function fleetOf(handlers: Record<string, (event: Record<string, unknown>, now: number) => Partial<Invocation> | unknown>) {
    const clock = new SimulatedClock();
    const seen: { name: string; event: Record<string, unknown>; at: number }[] = [];
    const fleet = {
      clock,
      sandbox: (fn: LambdaFunctionSpec) => ({
        invoke: async (event: Record<string, unknown>): Promise<Invocation> => {
          seen.push({ name: fn.functionName, event, at: clock.now() });
          const answer = handlers[fn.functionName](event, clock.now());
          if (answer instanceof Error) return { requestId: 'r', ok: false, realMs: 0, error: { errorType: 'Error', errorMessage: answer.message, trace: [`Error: ${answer.message}`, '    at handler (index.js:1:1)'] } };
          return { requestId: 'r', ok: true, realMs: 0, result: answer };
        },
      }),
    } as unknown as LambdaFleet;
    return { fleet, seen, driver: new ProviderDriver(plan, fleet, { stackId: 'arn:stack', region: 'eu-west-1' }) };
  }

  it('polls isComplete every IntervalSeconds on the simulated clock with onEvent output merged in, and merges the Data', async () => {
    let polls = 0;
    const { driver, seen } = fleetOf({
      'on-event': () => ({ PhysicalResourceId: 'id-1', Data: { Started: 'yes' } }),
      'is-complete': () => ((polls += 1) < 3 ? { IsComplete: false } : { IsComplete: true, Data: { Rows: '5' } }),
    });
    const response = await driver.request({ requestType: 'Create', properties: plan.properties });
    expect(response).toMatchObject({ status: 'SUCCESS', physicalResourceId: 'id-1', data: { Started: 'yes', Rows: '5' }, polls: 3 });
    const checks = seen.filter((call) => call.name === 'is-complete');
    expect(checks.map((call) => Math.round((call.at - checks[0].at) / 1000))).toEqual([0, 10, 20]);
    expect(checks[0].event).toMatchObject({ RequestType: 'Create', PhysicalResourceId: 'id-1', Data: { Started: 'yes' }, ResourceProperties: { Value: '1' } });
  });

  it('fails with "Operation timed out" when the retries run out, after MaxAttempts retries', async () => {
    const { driver } = fleetOf({ 'on-event': () => ({ PhysicalResourceId: 'id' }), 'is-complete': () => ({ IsComplete: false }) });
    const response = await driver.request({ requestType: 'Create', properties: plan.properties });
    expect(response).toMatchObject({ status: 'FAILED', reason: 'Operation timed out', polls: 6 });
    expect(response.simulatedSeconds).toBeGreaterThanOrEqual(50);
  });

  it('fails at once, not retrying, when isComplete throws, with the handler message and the function logs as the reason', async () => {
    const { driver } = fleetOf({ 'on-event': () => ({ PhysicalResourceId: 'id' }), 'is-complete': () => new Error('Statement 3 failed') });
    const response = await driver.request({ requestType: 'Update', properties: plan.properties, oldProperties: {}, physicalResourceId: 'id' });
    expect(response).toMatchObject({ status: 'FAILED', polls: 1, functionError: { errorMessage: 'Statement 3 failed', functionName: 'is-complete' } });
    expect(response.reason).toBe('Statement 3 failed\n\nLogs: /aws/lambda/is-complete\n\n    at handler (index.js:1:1)');
  });

  it('refuses Data with IsComplete false, and a new physical id on Delete', async () => {
    const withData = fleetOf({ 'on-event': () => ({}), 'is-complete': () => ({ IsComplete: false, Data: { a: 'b' } }) });
    expect((await withData.driver.request({ requestType: 'Create', properties: {} })).reason).toBe('Error: "Data" is not allowed if "IsComplete" is "False"');
    const renamed = fleetOf({ 'on-event': () => ({ PhysicalResourceId: 'other' }), 'is-complete': () => ({ IsComplete: true }) });
    const response = await renamed.driver.request({ requestType: 'Delete', properties: {}, physicalResourceId: 'id' });
    expect(response.reason).toMatch(/DELETE: cannot change the physical resource ID from "id" to "other"/);
  });

  it('gives a Create that failed in onEvent the CREATE_FAILED marker, and answers its rollback Delete without calling the handlers', async () => {
    const { driver, seen } = fleetOf({ 'on-event': () => new Error('no'), 'is-complete': () => ({ IsComplete: true }) });
    const created = await driver.request({ requestType: 'Create', properties: {} });
    expect(created).toMatchObject({ status: 'FAILED', physicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
    const deleted = await driver.request({ requestType: 'Delete', properties: {}, physicalResourceId: created.physicalResourceId });
    expect(deleted.status).toBe('SUCCESS');
    expect(seen).toHaveLength(1);
  });

  it('fails an answer over 4096 bytes, as CloudFormation does', async () => {
    const { driver } = fleetOf({ 'on-event': () => ({}), 'is-complete': () => ({ IsComplete: true, Data: { Big: 'x'.repeat(5000) } }) });
    expect((await driver.request({ requestType: 'Create', properties: {} })).reason).toMatch(/^Response object is too long/);
  });
});

describe('the rehearsal settings', () => {
  it('makes a transform statement fail, past the COPYs, and throttles more often than the SDK retries', () => {
    expect(standInFault('statement-fails', [{ kind: 'schema' }, { kind: 'copy' }, { kind: 'transform' }])).toMatchObject({ kind: 'fail-statement', statement: 3 });
    expect(standInFault('throttled', [])).toMatchObject({ kind: 'throttle', operation: 'DescribeStatement' });
    expect((standInFault('throttled', []) as { calls: number }).calls).toBeGreaterThan(6);
  });

  it('reads an EventBridge rate as its period', () => {
    expect(schedulePeriodMs('rate(1 hour)')).toBe(3_600_000);
    expect(schedulePeriodMs('rate(15 minutes)')).toBe(900_000);
    expect(schedulePeriodMs('cron(0 6 * * ? *)')).toBe(86_400_000);
  });
});
