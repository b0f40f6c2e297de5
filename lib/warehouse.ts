import {
  ArnFormat,
  type IResolvable,
  Aws,
  RemovalPolicy,
  Stack,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_logs as logs,
  aws_redshift as redshift,
  aws_redshiftserverless as serverless,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
  Fn,
  Names,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { defaultMaxCapacity, maxCapacityProblem, SINGLE_NODE_TYPES, WAREHOUSE_SIZE_DEFAULTS, type Ra3NodeType } from '../src/aws/redshift-capacity';
import type { WarehouseTarget } from '../src/data-api/target';
import { acknowledge } from './nag';

/** Properties of {@link Warehouse}. */
export interface WarehouseProps {
  /** The VPC to place the warehouse in. */
  readonly vpc: ec2.IVpc;
  /** The (isolated) subnets of the VPC the warehouse uses. */
  readonly subnets: ec2.SubnetSelection;
  /** The role COPY uses to read the source; attached to the warehouse (and the namespace's default). */
  readonly copyRole: iam.IRole;
  /** Where a provisioned cluster writes its audit logs (Serverless exports them to CloudWatch Logs instead). */
  readonly auditLogBucket?: s3.IBucket;
  /**
   * Use Redshift Serverless (a namespace and a workgroup) instead of a provisioned cluster.
   * @default false
   */
  readonly serverless?: boolean;
  /**
   * Node type of the provisioned cluster.
   * @default 'ra3.large'
   */
  readonly nodeType?: Ra3NodeType;
  /**
   * Nodes of the provisioned cluster; 1 makes a single-node cluster (ra3.large and
   * ra3.xlplus only).
   * @default 1
   */
  readonly numberOfNodes?: number;
  /**
   * Base capacity of the Serverless workgroup in Redshift Processing Units (4, or a
   * multiple of 8 from 8 to 512).
   * @default 8
   */
  readonly baseCapacity?: number;
  /**
   * The most RPUs the Serverless workgroup scales to (a multiple of 8, at least
   * `baseCapacity`): the ceiling of what an hour of queries costs. Without one, a
   * workgroup scales as far as its queries ask.
   * @default 4 × baseCapacity (32 RPUs with the default base)
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing-on-demand.html
   */
  readonly maxCapacity?: number;
  /**
   * The database the warehouse is built in.
   * @default 'sparkify'
   */
  readonly databaseName?: string;
  /**
   * The admin user. Its password is made, kept and rotated by Redshift in Secrets
   * Manager; it never appears in the template or the code.
   * @default 'sparkify_admin'
   */
  readonly adminUsername?: string;
  /**
   * The port the warehouse listens on (Redshift's default 5439 is what scanners try first).
   * @default 5440
   */
  readonly port?: number;
  /**
   * Route COPY's S3 traffic through the VPC (and its S3 gateway endpoint). Only works
   * for buckets in the stack's region: turn it off for a source in another region (a
   * CloudFormation condition may decide it at deploy time).
   * @default true
   */
  readonly enhancedVpcRouting?: boolean | IResolvable;
  /**
   * Days of automated snapshots kept (provisioned clusters).
   * @default 7
   */
  readonly snapshotRetentionDays?: number;
  /**
   * What happens to the data when the stack is deleted: RETAIN keeps the cluster or
   * namespace, SNAPSHOT (provisioned only) takes a final snapshot and deletes the
   * cluster, DESTROY deletes everything.
   * RETAIN_ON_UPDATE_OR_DELETE keeps them on delete but not when their own creation rolls
   * back, so a failed first deploy leaves nothing in the way of the next one.
   * @default RemovalPolicy.SNAPSHOT for a cluster, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE for Serverless
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long the audit logs Serverless exports to CloudWatch Logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditLogRetention?: logs.RetentionDays;
  /**
   * What happens to those log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly auditLogRemovalPolicy?: RemovalPolicy;
}

const USER_ACTIVITY_LOGGING = 'enable_user_activity_logging';

/**
 * The Redshift warehouse: a provisioned ra3 cluster or a Serverless namespace and
 * workgroup. Encrypted, not publicly accessible, in isolated subnets, on a non-default
 * port, SSL required, user activity logged (a cluster to the audit bucket, Serverless to
 * CloudWatch Logs), and the admin password in Secrets Manager (a cluster's kept and
 * rotated by Redshift).
 *
 * Loads run as the admin user on both kinds. On Serverless, a caller using its IAM
 * identity is its own database user (`IAMR:<role>`), and only a table's owner or a
 * superuser may use it: loaders under different roles could not use each other's
 * tables, and a replaced role would lose its own.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_Privileges.html
 */
export class Warehouse extends Construct implements ec2.IConnectable {
  /** How the Data API reaches the warehouse. */
  readonly dataApi: WarehouseTarget;
  /** The warehouse's security group: no inbound rule; add one for your clients. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The endpoint address clients connect to. */
  readonly endpointAddress: string;
  /** The port clients connect to. */
  readonly port: number;
  /** Who may reach the warehouse: `connections.allowDefaultPortFrom(client)` opens its port to a client. */
  readonly connections: ec2.Connections;
  /** For Serverless: the workgroup's ARN (by its id), which usage limits name. */
  readonly workgroupArn?: string;
  /** For Serverless: the RPU ceiling the workgroup was given. */
  readonly maxCapacity?: number;

  constructor(scope: Construct, id: string, props: WarehouseProps) {
    super(scope, id);
    this.port = props.port ?? 5440;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Sparkify warehouse: no inbound rule until a client is added',
      allowAllOutbound: false,
    });
    // COPY reaches S3 through the gateway endpoint (HTTPS) when enhanced VPC routing is on.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the gateway endpoint');
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const created = props.serverless ? this.serverless(props, subnetIds) : this.provisioned(props, subnetIds);
    this.dataApi = created.dataApi;
    this.endpointAddress = created.endpointAddress;
    this.workgroupArn = created.workgroupArn;
    this.maxCapacity = created.maxCapacity;
  }

  private provisioned(props: WarehouseProps, subnetIds: string[]) {
    const numberOfNodes = props.numberOfNodes ?? WAREHOUSE_SIZE_DEFAULTS.numberOfNodes;
    const nodeType = props.nodeType ?? WAREHOUSE_SIZE_DEFAULTS.nodeType;
    if (numberOfNodes === 1 && !SINGLE_NODE_TYPES.includes(nodeType)) {
      throw new Error(`numberOfNodes: a single-node cluster needs ${SINGLE_NODE_TYPES.join(' or ')}; ${nodeType} needs at least 2 nodes`);
    }
    if (!Number.isInteger(numberOfNodes) || numberOfNodes < 1 || numberOfNodes > 128) {
      throw new Error(`numberOfNodes must be a whole number from 1 to 128, got ${numberOfNodes}`);
    }
    const subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated subnets of the Sparkify warehouse',
      subnetIds,
    });
    if (!props.auditLogBucket) throw new Error('auditLogBucket: a provisioned cluster writes its audit logs to S3 and needs a bucket');
    const parameters = new redshift.CfnClusterParameterGroup(this, 'Parameters', {
      description: 'Sparkify warehouse: SSL required, user activity logged',
      // The family AWS documents as the default for new parameter groups.
      parameterGroupFamily: 'redshift-2.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: 'true' },
        { parameterName: USER_ACTIVITY_LOGGING, parameterValue: 'true' },
      ],
    });
    const databaseName = props.databaseName ?? 'sparkify';
    const cluster = new redshift.CfnCluster(this, 'Cluster', {
      clusterType: numberOfNodes === 1 ? 'single-node' : 'multi-node',
      nodeType,
      ...(numberOfNodes === 1 ? {} : { numberOfNodes }),
      dbName: databaseName,
      masterUsername: props.adminUsername ?? 'sparkify_admin',
      manageMasterPassword: true,
      encrypted: true,
      publiclyAccessible: false,
      port: this.port,
      clusterSubnetGroupName: subnetGroup.ref,
      vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      clusterParameterGroupName: parameters.ref,
      // AWS::Redshift::Cluster has no default-role property: COPY names the role itself.
      iamRoles: [props.copyRole.roleArn],
      enhancedVpcRouting: props.enhancedVpcRouting ?? true,
      automatedSnapshotRetentionPeriod: props.snapshotRetentionDays ?? 7,
      loggingProperties: { bucketName: props.auditLogBucket.bucketName, s3KeyPrefix: 'redshift/' },
    });
    cluster.node.addDependency(props.auditLogBucket);
    cluster.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.SNAPSHOT);
    // The cluster's identifier, subnet group and parameter group names are left to CloudFormation, so none can collide.
    return {
      workgroupArn: undefined,
      maxCapacity: undefined,
      endpointAddress: cluster.attrEndpointAddress,
      dataApi: {
        database: databaseName,
        clusterIdentifier: cluster.ref,
        secretArn: cluster.attrMasterPasswordSecretArn,
        resourceArn: Stack.of(this).formatArn({
          service: 'redshift',
          resource: 'cluster',
          resourceName: cluster.ref,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
  }

  private serverless(props: WarehouseProps, subnetIds: string[]) {
    const baseCapacity = props.baseCapacity ?? WAREHOUSE_SIZE_DEFAULTS.baseCapacity;
    if (!(baseCapacity === 4 || (baseCapacity % 8 === 0 && baseCapacity >= 8 && baseCapacity <= 512))) {
      throw new Error(`baseCapacity must be 4 or a multiple of 8 from 8 to 512 RPUs, got ${baseCapacity}`);
    }
    const maxCapacity = props.maxCapacity ?? defaultMaxCapacity(baseCapacity);
    const maxProblem = maxCapacityProblem(maxCapacity, baseCapacity);
    if (maxProblem) throw new Error(maxProblem);
    const databaseName = props.databaseName ?? 'sparkify';
    const adminUsername = props.adminUsername ?? 'sparkify_admin';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    // CloudFormation does not return the ARN of the secret Redshift Serverless manages
    // (manageAdminPassword), and the Data API needs one: the admin secret is ours. Its
    // password reaches the namespace as a dynamic reference, never as text in the template.
    const secret = new secretsmanager.Secret(this, 'AdminSecret', {
      description: 'Sparkify warehouse (Serverless): the admin user the loads run as',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: adminUsername }),
        generateStringKey: 'password',
        // Redshift passwords may not hold ' " \ / @ or a space.
        excludeCharacters: '\'"\\/@ ',
        passwordLength: 32,
      },
    });
    secret.applyRemovalPolicy(removalPolicy);
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      "The Serverless admin secret is the project's own because CloudFormation does not return the ARN of the one Redshift manages and rotates " +
        '(manageAdminPassword), and the Data API needs it. Rotating it would take a rotation function inside the isolated VPC with endpoints ' +
        'for Secrets Manager and Redshift; only the loader roles may read it.',
    );
    const namespaceName = physicalName(this, 'ns');
    const logExports = ['userlog', 'connectionlog', 'useractivitylog'];
    // Serverless exports each log to /aws/redshift/<namespace>/<log type>, and writes to a
    // group of that name when one exists: made here, they expire and follow the removal policy.
    const logGroups = logExports.map(
      (type) =>
        new logs.LogGroup(this, `AuditLog${type}`, {
          logGroupName: `/aws/redshift/${namespaceName}/${type}`,
          retention: props.auditLogRetention ?? logs.RetentionDays.ONE_YEAR,
          removalPolicy: props.auditLogRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        }),
    );
    const namespace = new serverless.CfnNamespace(this, 'Namespace', {
      namespaceName,
      dbName: databaseName,
      adminUsername,
      adminUserPassword: secret.secretValueFromJson('password').unsafeUnwrap(),
      iamRoles: [props.copyRole.roleArn],
      defaultIamRoleArn: props.copyRole.roleArn,
      logExports,
    });
    for (const group of logGroups) namespace.node.addDependency(group);
    namespace.applyRemovalPolicy(removalPolicy);
    const workgroup = new serverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: physicalName(this, 'wg'),
      namespaceName: namespace.namespaceName,
      baseCapacity,
      maxCapacity,
      subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
      publiclyAccessible: false,
      enhancedVpcRouting: props.enhancedVpcRouting ?? true,
      port: this.port,
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: USER_ACTIVITY_LOGGING, parameterValue: 'true' },
      ],
    });
    workgroup.addResourceDependency(namespace);
    return {
      workgroupArn: workgroup.attrWorkgroupWorkgroupArn,
      maxCapacity,
      endpointAddress: workgroup.attrWorkgroupEndpointAddress,
      dataApi: {
        database: databaseName,
        workgroupName: workgroup.workgroupName,
        secretArn: secret.secretArn,
        resourceArn: `arn:${Aws.PARTITION}:redshift-serverless:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${workgroup.attrWorkgroupWorkgroupId}`,
      },
    };
  }
}

/**
 * A name (3 to 64 of a-z, 0-9 and -: a Serverless namespace or workgroup, a scheduled action) that cannot collide: the construct's path
 * made unique in the app, then the first part of the stack's id, which a stack deployed
 * again after a delete does not share, so a retained namespace never blocks it.
 */
export function physicalName(scope: Construct, suffix: string): string {
  const base = Names.uniqueResourceName(scope, { maxLength: 40, separator: '-' })
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const stackIdPart = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
  return Fn.join('-', [base, stackIdPart, suffix]);
}
