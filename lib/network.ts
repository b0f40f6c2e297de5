import { Fn, RemovalPolicy, Stack, Token, aws_ec2 as ec2, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties of {@link Network}. */
export interface NetworkProps {
  /**
   * Availability Zones to spread the isolated subnets over, one subnet in each. Synth
   * fails when the stack's region (known from its `env`) has fewer. Redshift Serverless
   * needs 3: "at least three subnets, and they must span across three Availability Zones".
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html
   * @default 2
   */
  readonly availabilityZones?: number;
  /**
   * How long VPC flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The warehouse's private network: isolated subnets only (no internet gateway, no NAT),
 * a gateway endpoint so Redshift reaches S3 in this region without leaving AWS's
 * network, and flow logs of all traffic.
 */
export class Network extends Construct {
  /** The VPC. */
  readonly vpc: ec2.Vpc;
  /** The isolated subnets the warehouse lives in, one per Availability Zone. */
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: zonesOf(this, props.availabilityZones ?? 2),
      natGateways: 0,
      subnetConfiguration: [{ name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}

/**
 * `count` Availability Zones of the stack's region: looked up (cdk.context.json keeps the
 * answer) when the stack has an `env` with account and region, else chosen at deploy time from `Fn::GetAZs`,
 * where an environment-agnostic stack would otherwise get only 2.
 * @throws when the looked-up region has fewer than `count`
 */
function zonesOf(scope: Construct, count: number): string[] {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
    return Array.from({ length: count }, (_, index) => Fn.select(index, Fn.getAzs()));
  }
  const zones = stack.availabilityZones;
  if (zones.length < count) {
    throw new Error(
      `The warehouse needs subnets in ${count} Availability Zones, but ${stack.region} offers ${zones.length} to account ` +
        `${stack.account} (${zones.join(', ')}): deploy to another region` +
        (count === 3 ? ', or use a provisioned cluster (serverless=false), which needs only 2' : ''),
    );
  }
  return zones.slice(0, count);
}
