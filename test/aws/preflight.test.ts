import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { describePlan, principalArn, runPreflight, type DeployPlan } from '../../src/aws/preflight';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const clients = {
  sts: new STSClient({}),
  iam: new IAMClient({}),
  cloudFormation: new CloudFormationClient({}),
  sourceS3: new S3Client({}),
};
const plan: DeployPlan = {
  region: 'us-west-2',
  serverless: false,
  nodeType: 'ra3.large',
  numberOfNodes: 1,
  baseCapacity: 8,
  maxCapacity: 32,
  source: { bucket: 'udacity-dend', region: 'us-west-2', songPrefix: 'song_data', logPrefix: 'log_data', jsonPathsKey: 'log_json_path.json' },
};

function allGood(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Deployer/alice' });
  iam.on(SimulatePrincipalPolicyCommand).resolves({ EvaluationResults: [{ EvalActionName: 'sts:AssumeRole', EvalDecision: 'allowed' }] });
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
  s3.on(HeadObjectCommand).resolves({});
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 1 });
}

beforeEach(() => {
  for (const mock of [sts, iam, cfn, s3]) mock.reset();
});

describe('runPreflight', () => {
  it('passes every check when all is in place, simulating as the role behind the session', async () => {
    allGood();
    const outcomes = await runPreflight(clients, plan);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, true]);
    const simulated = iam.commandCalls(SimulatePrincipalPolicyCommand)[0].args[0].input;
    expect(simulated.PolicySourceArn).toBe('arn:aws:iam::123456789012:role/Deployer');
    expect(simulated.ResourceArns).toContain('arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2');
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: 'udacity-dend', Key: 'log_json_path.json' });
  });

  it('stops at missing credentials, saying what to do', async () => {
    sts.on(GetCallerIdentityCommand).rejects(new Error('Could not load credentials from any providers'));
    const outcomes = await runPreflight(clients, plan);
    expect(outcomes).toEqual([
      expect.objectContaining({ check: 'AWS credentials', ok: false, detail: expect.stringMatching(/aws configure/) }),
    ]);
  });

  it('names the denied role assumptions', async () => {
    allGood();
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: 'sts:AssumeRole',
          EvalDecision: 'implicitDeny',
          ResourceSpecificResults: [
            { EvalResourceName: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-west-2', EvalResourceDecision: 'implicitDeny' },
          ],
        },
      ],
    });
    const [, permissions] = await runPreflight(clients, plan);
    expect(permissions.ok).toBe(false);
    expect(permissions.detail).toContain('denied: sts:AssumeRole on arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role');
  });

  it('says how to bootstrap when the CDKToolkit stack is missing', async () => {
    allGood();
    cfn.on(DescribeStacksCommand).rejects(new Error('Stack with id CDKToolkit does not exist'));
    const outcomes = await runPreflight(clients, plan);
    expect(outcomes[2]).toMatchObject({ ok: false, detail: expect.stringContaining('npx cdk bootstrap aws://123456789012/us-west-2') });
  });

  it('reports an unreadable source bucket or an empty prefix', async () => {
    allGood();
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Forbidden'), { name: 'AccessDenied' }));
    expect((await runPreflight(clients, plan))[3]).toMatchObject({ ok: false, detail: 's3://udacity-dend: AccessDenied: Forbidden' });
    allGood();
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    expect((await runPreflight(clients, plan))[3]).toMatchObject({ ok: false, detail: 's3://udacity-dend/song_data holds no object' });
  });

  it('skips the source check for the stack own sample bucket', async () => {
    allGood();
    expect(await runPreflight(clients, { ...plan, source: undefined })).toHaveLength(3);
  });

  it('with a schedule, fails a source outside the target region, saying what to do', async () => {
    allGood();
    const elsewhere = await runPreflight(clients, { ...plan, region: 'eu-west-1', schedule: 'rate(1 hour)' });
    expect(elsewhere[4]).toMatchObject({ check: 'scheduled loads: source in the stack region', ok: false });
    expect(elsewhere[4].detail).toMatch(/s3:\/\/udacity-dend is in us-west-2, the stack would be in eu-west-1.*Deploy in us-west-2/);
    expect((await runPreflight(clients, { ...plan, schedule: 'rate(1 hour)' }))[4]).toMatchObject({ ok: true });
    expect(await runPreflight(clients, { ...plan, region: 'eu-west-1' })).toHaveLength(4);
  });
});

describe('describePlan', () => {
  // Worked by hand from the list prices: ra3.xlplus $1.086, ra3.large $0.543 a node-hour, $0.375 an RPU-hour, 730 hours a month.
  it('prices a cluster per hour and per month from its nodes, all the time or only its active hours', () => {
    expect(describePlan({ ...plan, numberOfNodes: 2, nodeType: 'ra3.xlplus' }).join('\n')).toContain(
      '2 ra3.xlplus node(s): about $2.17 per hour while it runs; running all the time (no pause schedule): about $1,585.56 a month',
    );
    // 12 hours × 5 days = 60 of 168 hours: 0.543 × 730 × 60 / 168 = 141.57.
    expect(describePlan({ ...plan, activeHours: { from: 7, to: 19 } }).join('\n')).toContain(
      'running 7:00-19:00 UTC Monday to Friday (60 of 168 hours a week), paused otherwise: about $141.57 a month',
    );
  });

  it("adds the analysts' bastion when asked: the instance and three endpoints per hour, and its volume in the month", () => {
    // $0.0042 (t4g.nano) + 3 × $0.01 (an interface endpoint's AZ-hour) = $0.0342 an hour; × 730 + 8 GB × $0.08 = $25.61 a month.
    expect(describePlan({ ...plan, analystBastion: true }).join('\n')).toContain("the analysts' bastion: a t4g.nano instance and three Session Manager interface endpoints in one AZ, about $0.03 per hour, $25.61 a month");
    expect(describePlan(plan).join('\n')).not.toContain('bastion');
  });

  it('prices Serverless from base to ceiling per hour, and a month by the usage limit or, without one, the ceiling all month', () => {
    const serverless = { ...plan, serverless: true };
    expect(describePlan(serverless).join('\n')).toContain(
      '8 RPUs base, 32 at most: about $3.00 to $12.00 per hour while queries run, nothing while idle; no usage limit: up to $8,760.00 a month',
    );
    expect(describePlan({ ...serverless, usageLimit: { rpuHours: 500, period: 'monthly' } }).join('\n')).toContain(
      'at most $187.50 a month (the usage limit: 500 RPU-hours monthly)',
    );
    // 10 RPU-hours a day × 730 / 24 days × $0.375 = 114.06.
    expect(describePlan({ ...serverless, usageLimit: { rpuHours: 10, period: 'daily' } }).join('\n')).toContain('at most $114.06 a month');
  });

  it('names the scheduled loads and what they add, only with a schedule', () => {
    expect(describePlan({ ...plan, schedule: 'rate(1 hour)' }).join('\n')).toContain('loads new files on rate(1 hour): an EventBridge rule');
    expect(describePlan(plan).join('\n')).not.toContain('EventBridge');
  });
});

describe('principalArn', () => {
  it('turns an assumed-role session into its role, and leaves a user as it is', () => {
    expect(principalArn('arn:aws:sts::123456789012:assumed-role/Admin/session-1')).toBe('arn:aws:iam::123456789012:role/Admin');
    expect(principalArn('arn:aws:iam::123456789012:user/alice')).toBe('arn:aws:iam::123456789012:user/alice');
  });
});
