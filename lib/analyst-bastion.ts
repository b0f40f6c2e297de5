import { ArnFormat, Stack, aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeManagedPolicies, acknowledgeWildcards } from './nag';

/** The AWS-owned Session Manager document that forwards a local port to a host the instance reaches. */
export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

/**
 * The interface endpoints SSM Agent and Session Manager need in subnets without internet
 * access: the Systems Manager API, the agent's message channel (ec2messages) and the
 * session's data channel (ssmmessages).
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html
 */
const SESSION_MANAGER_ENDPOINTS = {
  Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
} as const;

/** Properties of {@link AnalystBastion}. */
export interface AnalystBastionProps {
  /** The warehouse's VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * The subnet of the instance and of the three interface endpoints (each billed per
   * Availability Zone it is in, so one subnet is one AZ-hour each).
   * @default the VPC's first isolated subnet
   */
  readonly subnet?: ec2.ISubnet;
  /** The warehouse: its default port is opened to the bastion and to nothing else. */
  readonly warehouse: ec2.IConnectable;
  /**
   * The instance type: it only relays a TCP stream. A Graviton (arm64) type, as the image is
   * Amazon Linux 2023 for arm64.
   * @default t4g.nano
   */
  readonly instanceType?: ec2.InstanceType;
}

/**
 * A small EC2 instance in the warehouse's isolated subnet that analysts reach through an
 * SSM Session Manager port forward (`AWS-StartPortForwardingSessionToRemoteHost`), so a BI
 * tool on their machine connects to `localhost` and reaches the warehouse's port. It has no
 * public IP and no inbound rule: SSM Agent dials out to the Session Manager endpoints of the
 * VPC, and its security group lets it reach only those and the warehouse's port.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-sessions-start.html#sessions-remote-port-forwarding
 */
export class AnalystBastion extends Construct implements ec2.IConnectable {
  /** The instance sessions are started on. */
  readonly instance: ec2.Instance;
  /** The instance's security group (no inbound rule). */
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: AnalystBastionProps) {
    super(scope, id);
    const subnet = props.subnet ?? props.vpc.isolatedSubnets[0];
    if (!subnet) throw new Error('AnalystBastion needs an isolated subnet in the VPC (or a subnet given as subnet)');
    const subnets: ec2.SubnetSelection = { subnets: [subnet] };
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Sparkify analyst bastion: no inbound rule; out to the Session Manager endpoints and the warehouse port only',
      allowAllOutbound: false,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Lets SSM Agent on the Sparkify analyst bastion register with Systems Manager and carry sessions',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: subnets,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO),
      // Resolved from the public SSM parameter at deploy time: synth needs no lookup.
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      securityGroup,
      role,
      associatePublicIpAddress: false,
      httpTokens: ec2.HttpTokens.REQUIRED,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }) }],
    });
    this.connections = this.instance.connections;
    const endpointGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.vpc,
      description: 'Session Manager interface endpoints of the Sparkify analyst bastion: HTTPS in from the bastion only',
      allowAllOutbound: false,
    });
    for (const [name, service] of Object.entries(SESSION_MANAGER_ENDPOINTS)) {
      new ec2.InterfaceVpcEndpoint(this, `${name}Endpoint`, { vpc: props.vpc, service, subnets, privateDnsEnabled: true, open: false, securityGroups: [endpointGroup] });
    }
    endpointGroup.connections.allowFrom(this.instance, ec2.Port.tcp(443), 'SSM Agent on the analyst bastion');
    props.warehouse.connections.allowDefaultPortFrom(this.instance, "BI tools through the analysts' SSM port forward");

    acknowledgeManagedPolicies(
      this,
      'AmazonSSMManagedInstanceCore is the AWS managed policy Session Manager documents for the instance profile of a managed node; ' +
        'the instance runs nothing but SSM Agent.',
    );
    acknowledge(
      this.instance,
      'AwsSolutions-EC29',
      'A stateless relay for port-forwarding sessions, holding no data: cdk destroy must delete it, and a replacement is as good as the original.',
    );
    acknowledgeWildcards(
      this,
      'ssm:TerminateSession and ResumeSession act on this account and region\'s sessions (session/*) only where the session\'s tag ' +
        'aws:ssmmessages:session-id, which Session Manager sets to the caller\'s role id and session name, equals the caller\'s own aws:userid: ' +
        'a session id is not known before the session starts.',
    );
  }

  /**
   * Lets `role` start a port-forwarding session to this instance only, with the document
   * `AWS-StartPortForwardingSessionToRemoteHost` only (`ssm:SessionDocumentAccessCheck`, so no
   * shell with the default document), and end or resume only its own sessions.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-examples.html
   */
  grantPortForwarding(role: iam.IRole): iam.Policy {
    const stack = Stack.of(this);
    return new iam.Policy(this, 'PortForwarding', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'PortForwardThroughTheBastion',
          actions: ['ssm:StartSession'],
          resources: [
            stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: this.instance.instanceId }),
            stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: PORT_FORWARDING_DOCUMENT }),
          ],
          // Without it, a start-session naming no document opens a shell with SSM-SessionManagerRunShell.
          conditions: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
        }),
        new iam.PolicyStatement({
          sid: 'EndOrResumeOwnSessions',
          actions: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          resources: [stack.formatArn({ service: 'ssm', resource: 'session', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
          conditions: { StringLike: { 'ssm:resourceTag/aws:ssmmessages:session-id': '${aws:userid}' } },
        }),
      ],
    });
  }
}
