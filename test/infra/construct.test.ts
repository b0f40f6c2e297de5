import { App, Stack, Validations, aws_ec2 as ec2, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalystAccess, AuditLogBucket, CopyRole, Network, SparkifyWarehouse, Warehouse, resolveSource } from '../../lib/index';
import { cdkJsonContext } from '../../lib/sparkify-app';
import { tempDir } from '../helpers/fixtures';
import { resourcesOf } from '../helpers/stacks';

const noBundling = { 'aws:cdk:bundling-stacks': [] };
/** The properties that give a resource a name unique in the account and Region. */
const PHYSICAL_NAMES = ['NamespaceName', 'WorkgroupName', 'LogGroupName', 'BucketName', 'RoleName', 'FunctionName', 'QueueName', 'TopicName', 'ClusterIdentifier', 'Name'];

describe('a user’s own stack with two SparkifyWarehouses, one Serverless', () => {
  const outdir = tempDir();
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'Analytics');
  const first = new SparkifyWarehouse(stack, 'Cluster');
  const second = new SparkifyWarehouse(stack, 'Serverless', { serverless: true, schedule: events.Schedule.expression('rate(1 day)'), source: { region: 'us-east-1' } });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  second.grantDataApi(reader);
  // The user's own role: following one's own statements has no resource type in IAM, so the grant holds one `*`.
  Validations.of(reader).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'redshift-data:DescribeStatement and the like cannot be scoped to a resource' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let failure: unknown;
  let assembly;
  try {
    assembly = app.synth();
  } catch (error) {
    failure = error;
  }
  const report = path.join(outdir, 'validation-report.json');

  it('synthesizes with cdk-nag AwsSolutions: no finding left unacknowledged', () => {
    // A failed validation throws, and its report says what it found.
    const found = failure === undefined ? [] : [existsSync(report) ? readFileSync(report, 'utf8') : String(failure)];
    expect(found).toEqual([]);
  });

  const template = Template.fromJSON(assembly?.getStackByName('Analytics').template ?? {});
  const resources = resourcesOf(template);

  it('has both loaders, each on its own warehouse', () => {
    const loads = Object.values(template.findResources('Custom::SparkifyLoad'));
    expect(loads).toHaveLength(2);
    expect(loads.map((load) => JSON.stringify(load.Properties.Target.clusterIdentifier ?? load.Properties.Target.workgroupName))).toEqual(
      expect.arrayContaining([JSON.stringify(stack.resolve(first.dataApiTarget.clusterIdentifier)), JSON.stringify(stack.resolve(second.dataApiTarget.workgroupName))]),
    );
  });

  it('gives no two resources the same physical name', () => {
    const names = Object.values(resources).flatMap((resource) =>
      Object.entries(resource.Properties ?? {})
        .filter(([key]) => PHYSICAL_NAMES.includes(key))
        .map(([key, value]) => `${resource.Type} ${key} ${JSON.stringify(value)}`),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('grants a role of the user’s Data API statements on that warehouse only, and its admin secret', () => {
    const policy = Object.values(resources).find((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties?.Roles) === JSON.stringify([stack.resolve(reader.roleName)]));
    const statements = policy?.Properties?.PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['redshift-data:BatchExecuteStatement', 'redshift-data:ExecuteStatement'], Resource: stack.resolve(second.dataApiTarget.resourceArn) }),
    );
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: stack.resolve(second.dataApiTarget.secretArn) }));
  });

  it('exposes the load’s results as attributes of its own load', () => {
    const [load] = Object.entries(template.findResources('Custom::SparkifyLoad', { Properties: { Target: { workgroupName: Match.anyValue() } } }));
    expect(stack.resolve(second.loaded.Songplays)).toEqual({ 'Fn::GetAtt': [load[0], 'Songplays'] });
  });
});

describe('each construct on a bare stack', () => {
  const bare = (env?: { account: string; region: string }) => new Stack(new App({ context: { ...cdkJsonContext(), ...noBundling } }), 'Bare', { env });

  it('Network: isolated subnets in the AZs asked for, env-agnostic or with an env', () => {
    const agnostic = bare();
    new Network(agnostic, 'Net', { availabilityZones: 3 });
    Template.fromStack(agnostic).resourceCountIs('AWS::EC2::Subnet', 3);
    const placed = new Stack(
      new App({ context: { ...noBundling, 'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] } }),
      'Placed',
      { env: { account: '123456789012', region: 'eu-west-1' } },
    );
    new Network(placed, 'Net');
    const zones = Object.values(Template.fromStack(placed).findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone);
    expect(zones).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  it('CopyRole: reads the source it is given', () => {
    const stack = bare();
    const copy = new CopyRole(stack, 'Copy', { source: resolveSource({ bucket: 'raw-bucket' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(copy.role.roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadSourceObjects', Action: 's3:GetObject', Resource: Match.arrayWith(['arn:aws:s3:::raw-bucket/log_json_path.json']) }),
          Match.objectLike({ Sid: 'ListSourcePrefixes', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::raw-bucket' }),
        ]),
      },
    });
  });

  it('Warehouse and AnalystAccess: connections open the warehouse port to a client; analysts sign in to that cluster', () => {
    const stack = bare();
    const network = new Network(stack, 'Net');
    const audit = new AuditLogBucket(stack, 'Audit');
    const copy = new CopyRole(stack, 'Copy', { source: resolveSource() });
    const warehouse = new Warehouse(stack, 'Wh', { vpc: network.vpc, subnets: network.subnets, copyRole: copy.role, auditLogBucket: audit.bucket });
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
    warehouse.connections.allowDefaultPortFrom(client);
    const analysts = new AnalystAccess(stack, 'Analysts', { target: warehouse.dataApi });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(warehouse.securityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(client.securityGroupId),
      FromPort: 5440,
      ToPort: 5440,
    });
    template.hasResourceProperties('AWS::Redshift::Cluster', { LoggingProperties: { BucketName: stack.resolve(audit.bucket.bucketName), S3KeyPrefix: 'redshift/' } });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((candidate) => JSON.stringify(candidate.Properties.Roles) === JSON.stringify([stack.resolve(analysts.role.roleName)]));
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain(JSON.stringify(stack.resolve(warehouse.dataApi.clusterIdentifier)));
  });
});
