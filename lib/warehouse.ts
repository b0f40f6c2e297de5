import {
  ArnFormat,
  type IResolvable,
  Aws,
  RemovalPolicy,
  Stack,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_redshift as redshift,
  aws_redshiftserverless as serverless,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Node types a new provisioned cluster may use (dc2 can no longer be provisioned). */
export type Ra3NodeType = 'ra3.large' | 'ra3.xlplus' | 'ra3.4xlarge' | 'ra3.16xlarge';

/** Properties of {@link Warehouse}. */
export interface WarehouseProps {
  /** The VPC to place the warehouse in. */
  readonly vpc: ec2.IVpc;
  /** The (isolated) subnets of the VPC the warehouse uses. */
  readonly subnets: ec2.SubnetSelection;
  /** The role COPY uses to read the source; attached to the warehouse (and the namespace's default). */
  readonly copyRole: iam.IRole;
  /** Where Redshift writes audit logs. */
  readonly auditLogBucket: s3.IBucket;
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
   * @default RemovalPolicy.SNAPSHOT for a cluster, RemovalPolicy.RETAIN for Serverless
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** How the loader reaches the warehouse through the Redshift Data API. */
export interface DataApiTarget {
  /** The database to run statements in. */
  readonly database: string;
  /** For a provisioned cluster: its identifier. */
  readonly clusterIdentifier?: string;
  /** For a provisioned cluster: the Redshift-managed admin secret the Data API authenticates with. */
  readonly secretArn?: string;
  /** For Serverless: the workgroup name (the Data API then authenticates the caller's IAM identity). */
  readonly workgroupName?: string;
  /** The ARN Data API calls are scoped to: the cluster or the workgroup. */
  readonly resourceArn: string;
}

const USER_ACTIVITY_LOGGING = 'enable_user_activity_logging';

/**
 * The Redshift warehouse: a provisioned ra3 cluster or a Serverless namespace and
 * workgroup. Encrypted, not publicly accessible, in isolated subnets, on a non-default
 * port, SSL required, user activity logged to the audit bucket, and the admin password
 * kept by Redshift in Secrets Manager.
 */
export class Warehouse extends Construct {
  /** How the Data API reaches the warehouse. */
  readonly dataApi: DataApiTarget;
  /** The warehouse's security group: no inbound rule; add one for your clients. */
  readonly securityGroup: ec2.SecurityGroup;
  /** The endpoint address clients connect to. */
  readonly endpointAddress: string;
  /** The port clients connect to. */
  readonly port: number;

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
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const created = props.serverless ? this.serverless(props, subnetIds) : this.provisioned(props, subnetIds);
    this.dataApi = created.dataApi;
    this.endpointAddress = created.endpointAddress;
  }

  private provisioned(props: WarehouseProps, subnetIds: string[]) {
    const numberOfNodes = props.numberOfNodes ?? 1;
    const nodeType = props.nodeType ?? 'ra3.large';
    if (numberOfNodes === 1 && !['ra3.large', 'ra3.xlplus'].includes(nodeType)) {
      throw new Error(`numberOfNodes: a single-node cluster needs ra3.large or ra3.xlplus; ${nodeType} needs at least 2 nodes`);
    }
    if (!Number.isInteger(numberOfNodes) || numberOfNodes < 1 || numberOfNodes > 128) {
      throw new Error(`numberOfNodes must be a whole number from 1 to 128, got ${numberOfNodes}`);
    }
    const subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated subnets of the Sparkify warehouse',
      subnetIds,
    });
    const parameters = new redshift.CfnClusterParameterGroup(this, 'Parameters', {
      description: 'Sparkify warehouse: SSL required, user activity logged',
      parameterGroupFamily: 'redshift-1.0',
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
    return {
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
    const baseCapacity = props.baseCapacity ?? 8;
    if (!(baseCapacity === 4 || (baseCapacity % 8 === 0 && baseCapacity >= 8 && baseCapacity <= 512))) {
      throw new Error(`baseCapacity must be 4 or a multiple of 8 from 8 to 512 RPUs, got ${baseCapacity}`);
    }
    const databaseName = props.databaseName ?? 'sparkify';
    const name = Stack.of(this).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50);
    const namespace = new serverless.CfnNamespace(this, 'Namespace', {
      namespaceName: `${name}-ns`,
      dbName: databaseName,
      adminUsername: props.adminUsername ?? 'sparkify_admin',
      manageAdminPassword: true,
      iamRoles: [props.copyRole.roleArn],
      defaultIamRoleArn: props.copyRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    namespace.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    const workgroup = new serverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: `${name}-wg`,
      namespaceName: namespace.namespaceName,
      baseCapacity,
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
      endpointAddress: workgroup.attrWorkgroupEndpointAddress,
      dataApi: {
        database: databaseName,
        workgroupName: workgroup.workgroupName,
        resourceArn: `arn:${Aws.PARTITION}:redshift-serverless:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${workgroup.attrWorkgroupWorkgroupId}`,
      },
    };
  }
}
