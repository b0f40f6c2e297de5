import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readAppConfig } from '../../lib/app-config';
import { resourcesOf, synth, synthWithNag, type TemplateResource } from '../helpers/stacks';

/**
 * The opt-in SSM bastion for BI tools (analystBastion): what it may reach, who may start a
 * session on it, and what it costs to leave off. One synth per variant, with cdk-nag's
 * AwsSolutions pack, and no bundling (nothing here reads the functions' code).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Statement = { Sid?: string; Action: string | string[]; Resource: any; Condition?: Record<string, Record<string, unknown>> };

const variants = {
  cluster: synthWithNag({ analystBastion: true }),
  serverless: synthWithNag({ serverless: true, analystBastion: true }),
};
const off = synth({}, { 'aws:cdk:bundling-stacks': [] }).template;

const ofType = (template: Template, type: string) => Object.entries(resourcesOf(template)).filter(([, resource]) => resource.Type === type);
const only = (template: Template, type: string): [string, TemplateResource] => {
  const found = ofType(template, type);
  expect(found.map(([id]) => id), type).toHaveLength(1);
  return found[0];
};
const refOf = (value: unknown) => (value as { Ref?: string }).Ref;
const groupIdOf = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
/** An ARN as text: `Ref`s become `${LogicalId}`, joins are joined. */
function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return `\${${intrinsic.Ref as string}}`;
  const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
  return parts.map(arnText).join(separator);
}
const actionsOf = (statement: Statement) => ([] as string[]).concat(statement.Action);
const resourcesOfStatement = (statement: Statement) => ([] as unknown[]).concat(statement.Resource).map(arnText);
/** Every statement of every policy attached to the analysts' role (the role tagged RedshiftDbRoles). */
function analystStatements(template: Template): Statement[] {
  const [roleId] = ofType(template, 'AWS::IAM::Role').find(([, role]) => role.Properties?.Tags?.some((tag: { Key: string }) => tag.Key === 'RedshiftDbRoles')) ?? [];
  expect(roleId).toBeDefined();
  return ofType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((role) => refOf(role) === roleId))
    .flatMap(([, policy]) => policy.Properties?.PolicyDocument.Statement as Statement[]);
}
/** The warehouse's security group: the one the cluster or workgroup is in. */
function warehouseGroupId(template: Template): string {
  const [, warehouse] = [...ofType(template, 'AWS::Redshift::Cluster'), ...ofType(template, 'AWS::RedshiftServerless::Workgroup')][0];
  const [group] = (warehouse.Properties?.VpcSecurityGroupIds ?? warehouse.Properties?.SecurityGroupIds) as unknown[];
  return groupIdOf(group)!;
}

describe.each(Object.entries(variants))('the analyst bastion on the %s stack', (_name, { template, findings }) => {
  const resources = resourcesOf(template);
  const [instanceId, instance] = only(template, 'AWS::EC2::Instance');
  const [bastionInterface] = instance.Properties?.NetworkInterfaces as { SubnetId: unknown; GroupSet: unknown[]; AssociatePublicIpAddress: boolean }[];
  const bastionGroupId = groupIdOf(bastionInterface.GroupSet[0])!;
  const isolated = (subnet: unknown) => resources[refOf(subnet)!]?.Properties?.Tags?.find((tag: { Key: string }) => tag.Key === 'aws-cdk:subnet-type')?.Value;

  it('cdk-nag AwsSolutions finds nothing that is not acknowledged with a reason', () => {
    expect(findings).toEqual([]);
  });

  it('is a small Graviton instance of Amazon Linux 2023 (arm64, from its public SSM parameter), in an isolated subnet with no public IP', () => {
    expect(instance.Properties?.InstanceType).toMatch(/^t4g\./);
    const image = template.toJSON().Parameters[refOf(instance.Properties?.ImageId)!];
    expect(image).toMatchObject({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' });
    expect(image.Default).toMatch(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-.*-arm64$/);
    expect(isolated(bastionInterface.SubnetId)).toBe('Isolated');
    expect(bastionInterface.AssociatePublicIpAddress).toBe(false);
    expect(instance.Properties?.SubnetId).toBeUndefined();
  });

  it('requires IMDSv2, has an encrypted gp3 root volume, and detailed monitoring', () => {
    expect(instance.Properties?.MetadataOptions).toEqual({ HttpTokens: 'required' });
    const volumes = instance.Properties?.BlockDeviceMappings as { Ebs: { Encrypted: boolean; VolumeType: string } }[];
    expect(volumes.length).toBeGreaterThan(0);
    for (const { Ebs } of volumes) expect(Ebs).toMatchObject({ Encrypted: true, VolumeType: 'gp3' });
    expect(instance.Properties?.Monitoring).toBe(true);
  });

  it("has a role with AmazonSSMManagedInstanceCore and nothing else", () => {
    const profile = resources[refOf(instance.Properties?.IamInstanceProfile)!];
    const [role] = profile.Properties?.Roles as unknown[];
    const managed = (resources[refOf(role)!].Properties?.ManagedPolicyArns as unknown[]).map(arnText);
    expect(managed).toEqual(['arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore']);
    const attached = ofType(template, 'AWS::IAM::Policy').filter(([, policy]) => (policy.Properties?.Roles as unknown[]).some((each) => refOf(each) === refOf(role)));
    expect(attached).toEqual([]);
  });

  it('lets nothing in: its security group has no inbound rule', () => {
    expect(resources[bastionGroupId].Properties?.SecurityGroupIngress).toBeUndefined();
    const inbound = ofType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => groupIdOf(rule.Properties?.GroupId) === bastionGroupId);
    expect(inbound).toEqual([]);
  });

  it('has the interface endpoints Session Manager needs without internet (ssm, ssmmessages, ec2messages), with private DNS, in its own subnet, open to it only', () => {
    const endpoints = ofType(template, 'AWS::EC2::VPCEndpoint').filter(([, endpoint]) => endpoint.Properties?.VpcEndpointType === 'Interface');
    const services = endpoints.map(([, endpoint]) => arnText(endpoint.Properties?.ServiceName).replace('com.amazonaws.${AWS::Region}.', ''));
    expect(services.sort()).toEqual(['ec2messages', 'ssm', 'ssmmessages']);
    for (const [id, endpoint] of endpoints) {
      expect(endpoint.Properties?.PrivateDnsEnabled, id).toBe(true);
      expect(endpoint.Properties?.SubnetIds, id).toEqual([bastionInterface.SubnetId]);
      for (const group of endpoint.Properties?.SecurityGroupIds as unknown[]) {
        const inbound = ofType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => groupIdOf(rule.Properties?.GroupId) === groupIdOf(group));
        expect(inbound.map(([, rule]) => rule.Properties), id).toEqual([
          expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [bastionGroupId, 'GroupId'] } }),
        ]);
        expect(resources[groupIdOf(group)!].Properties?.SecurityGroupIngress, id).toBeUndefined();
      }
    }
  });

  it("opens the warehouse's security group to the bastion's on 5440, and to nothing else", () => {
    const warehouseGroup = warehouseGroupId(template);
    expect(resources[warehouseGroup].Properties?.SecurityGroupIngress).toBeUndefined();
    const inbound = ofType(template, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => groupIdOf(rule.Properties?.GroupId) === warehouseGroup);
    expect(inbound.map(([, rule]) => rule.Properties)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 5440, ToPort: 5440, SourceSecurityGroupId: { 'Fn::GetAtt': [bastionGroupId, 'GroupId'] } }),
    ]);
  });

  it('reaches only the endpoints (443) and the warehouse (5440)', () => {
    const [, endpoint] = ofType(template, 'AWS::EC2::VPCEndpoint').find(([, each]) => each.Properties?.VpcEndpointType === 'Interface')!;
    const endpointGroup = groupIdOf((endpoint.Properties?.SecurityGroupIds as unknown[])[0]);
    const outbound = ofType(template, 'AWS::EC2::SecurityGroupEgress')
      .filter(([, rule]) => groupIdOf(rule.Properties?.GroupId) === bastionGroupId)
      .map(([, rule]) => [groupIdOf(rule.Properties?.DestinationSecurityGroupId), rule.Properties?.IpProtocol, rule.Properties?.FromPort, rule.Properties?.ToPort]);
    expect(outbound).toHaveLength(2);
    expect(outbound).toEqual(
      expect.arrayContaining([
        [endpointGroup, 'tcp', 443, 443],
        [warehouseGroupId(template), 'tcp', 5440, 5440],
      ]),
    );
    expect(resources[bastionGroupId].Properties?.SecurityGroupEgress).toBeUndefined();
  });

  it("lets the analysts' role start a session on exactly this instance with exactly the port-forwarding document, and never without naming it", () => {
    const starts = analystStatements(template).filter((statement) => actionsOf(statement).some((action) => /^ssm:(StartSession|\*)$|^\*$/.test(action)));
    expect(starts).toHaveLength(1);
    const [start] = starts;
    expect(actionsOf(start)).toEqual(['ssm:StartSession']);
    expect(resourcesOfStatement(start).sort()).toEqual(
      [
        `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:instance/\${${instanceId}}`,
        'arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWS-StartPortForwardingSessionToRemoteHost',
      ].sort(),
    );
    expect(start.Condition).toEqual({ BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } });
  });

  it("lets the analysts' role end and resume only the sessions it started (the session-id tag Session Manager sets to the caller's aws:userid)", () => {
    const own = analystStatements(template).filter((statement) => actionsOf(statement).some((action) => /^ssm:(Terminate|Resume)Session$/.test(action)));
    expect(own).toHaveLength(1);
    expect(actionsOf(own[0]).sort()).toEqual(['ssm:ResumeSession', 'ssm:TerminateSession']);
    expect(resourcesOfStatement(own[0])).toEqual(['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:session/*']);
    expect(own[0].Condition).toEqual({ StringLike: { 'ssm:resourceTag/aws:ssmmessages:session-id': '${aws:userid}' } });
  });

  it('outputs the instance id to start sessions on', () => {
    expect(template.toJSON().Outputs.AnalystBastionInstanceId.Value).toEqual({ Ref: instanceId });
  });
});

describe('without analystBastion (the default)', () => {
  it('there is no instance, no interface endpoint, no output, and the analysts may start no session', () => {
    expect(ofType(off, 'AWS::EC2::Instance')).toEqual([]);
    expect(ofType(off, 'AWS::EC2::VPCEndpoint').map(([, endpoint]) => endpoint.Properties?.VpcEndpointType)).toEqual(['Gateway']);
    expect(off.toJSON().Outputs.AnalystBastionInstanceId).toBeUndefined();
    expect(analystStatements(off).flatMap(actionsOf).filter((action) => action.startsWith('ssm:'))).toEqual([]);
    expect(ofType(off, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });
});

describe('-c analystBastion=', () => {
  const config = (value: string | undefined) => readAppConfig((key) => (key === 'analystBastion' ? value : undefined));

  it('true turns it on; unset leaves it to the default', () => {
    expect(config('true').props.analystBastion).toBe(true);
    expect(config('false').props.analystBastion).toBe(false);
    expect(config(undefined).props.analystBastion).toBeUndefined();
  });

  it('refuses anything but true or false', () => {
    expect(() => config('yes')).toThrow('-c analystBastion= must be true or false, got "yes"');
  });
});
