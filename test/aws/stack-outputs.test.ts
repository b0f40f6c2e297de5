import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { BatchExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminTargetOf, analystAccessOf, analystDataApi, readStackOutputs } from '../../src/aws/stack-outputs';

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const redshift = mockClient(RedshiftDataClient);

beforeEach(() => {
  cfn.reset();
  sts.reset();
  redshift.reset();
});

const CLUSTER = { Database: 'sparkify', ClusterIdentifier: 'c1', AdminSecretArn: 'arn:secret', AnalystRoleArn: 'arn:aws:iam::123456789012:role/analysts-x' };
const WORKGROUP = { Database: 'sparkify', WorkgroupName: 'wg', AdminSecretArn: 'arn:secret', AnalystRoleArn: 'arn:aws:iam::123456789012:role/analysts-x' };

describe('the stack outputs', () => {
  it('are read by key from CloudFormation', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'S', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: Object.entries(CLUSTER).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
    });
    expect(await readStackOutputs(new CloudFormationClient({}), 'S')).toEqual(CLUSTER);
  });

  it('name the warehouse as its admin user (the tables’ owner): the secret with the cluster or the workgroup', () => {
    expect(adminTargetOf(CLUSTER, 'S')).toEqual({ database: 'sparkify', clusterIdentifier: 'c1', secretArn: 'arn:secret' });
    expect(adminTargetOf(WORKGROUP, 'S')).toEqual({ database: 'sparkify', workgroupName: 'wg', secretArn: 'arn:secret' });
    expect(() => adminTargetOf({ Database: 'sparkify', WorkgroupName: 'wg' }, 'S')).toThrow(/names no admin secret/);
    expect(() => adminTargetOf({}, 'S')).toThrow(/no Database output/);
  });

  it('name the analysts’ role and the warehouse it reaches with its own identity, with no secret', () => {
    expect(analystAccessOf(WORKGROUP, 'S')).toEqual({ roleArn: WORKGROUP.AnalystRoleArn, target: { database: 'sparkify', workgroupName: 'wg' } });
    expect(analystAccessOf(CLUSTER, 'S').target).toEqual({ database: 'sparkify', clusterIdentifier: 'c1' });
    expect(() => analystAccessOf({ Database: 'sparkify', WorkgroupName: 'wg' }, 'S')).toThrow(/no AnalystRoleArn output/);
  });
});

describe('analystDataApi', () => {
  it('assumes the analysts’ role and sends statements with its credentials and no secret', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAANALYST', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date() },
    });
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'q1' });
    const api = await analystDataApi(WORKGROUP.AnalystRoleArn, 'us-east-1');
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input.RoleArn).toBe(WORKGROUP.AnalystRoleArn);
    await api.submitBatch(analystAccessOf(WORKGROUP, 'S').target, ['SELECT 1;'], 'sparkify-query-1');
    const [call] = redshift.commandCalls(BatchExecuteStatementCommand);
    expect(call.args[0].input).toMatchObject({ WorkgroupName: 'wg', SecretArn: undefined });
    const credentials = await redshift.send.thisValues[0].config.credentials();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAANALYST', sessionToken: 'token' });
  });
});
