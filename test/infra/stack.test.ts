import type { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { readAppConfig } from '../../lib/app-config';
import { ANALYSTS_DATABASE_ROLE } from '../../src/sql/access';
import { SQL_DIR } from '../../src/sql/sql-files';
import { synth, tinySampleDir } from '../helpers/stacks';

const provisioned = synth();
const serverless = synth({ serverless: true });
const sample = synth({ sampleDataDir: tinySampleDir() });

describe('the provisioned warehouse', () => {
  const { template } = provisioned;

  it('is encrypted, private, in isolated subnets, off port 5439, with a Redshift-managed password', () => {
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      Encrypted: true,
      PubliclyAccessible: false,
      Port: 5440,
      ManageMasterPassword: true,
      NodeType: 'ra3.large',
      ClusterType: 'single-node',
      AutomatedSnapshotRetentionPeriod: 7,
      MasterUserPassword: Match.absent(),
      NumberOfNodes: Match.absent(),
    });
    const subnetGroup = Object.values(template.findResources('AWS::Redshift::ClusterSubnetGroup'))[0];
    const subnets = template.findResources('AWS::EC2::Subnet');
    for (const ref of subnetGroup.Properties.SubnetIds) {
      expect(subnets[ref.Ref].Properties.MapPublicIpOnLaunch).toBe(false);
      expect(JSON.stringify(subnets[ref.Ref].Properties.Tags)).toContain('Isolated');
    }
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('requires SSL and logs user activity to the audit bucket', () => {
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', {
      // The family AWS documents as the default (mgmt guide, parameter groups).
      ParameterGroupFamily: 'redshift-2.0',
      Parameters: Match.arrayWith([
        { ParameterName: 'require_ssl', ParameterValue: 'true' },
        { ParameterName: 'enable_user_activity_logging', ParameterValue: 'true' },
      ]),
    });
    template.hasResourceProperties('AWS::Redshift::Cluster', {
      LoggingProperties: { BucketName: Match.anyValue(), S3KeyPrefix: 'redshift/' },
    });
  });

  it('keeps the data: a final snapshot on delete, buckets and logs kept unless their own creation rolls back', () => {
    template.hasResource('AWS::Redshift::Cluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(group.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('routes COPY through the VPC only when the source bucket is in the stack region', () => {
    template.hasResourceProperties('AWS::Redshift::Cluster', { EnhancedVpcRouting: { 'Fn::If': ['SourceInStackRegion', true, false] } });
    template.hasCondition('SourceInStackRegion', { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-west-2'] });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.anyValue() });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it('lets no one in: no security group ingress from anywhere', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups)) expect(group.Properties.SecurityGroupIngress ?? []).toEqual([]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it('outputs where the warehouse is and what the load loaded', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    for (const name of ['Endpoint', 'Port', 'Database', 'ClusterIdentifier', 'AdminSecretArn', 'CopyRoleArn', 'LoadedSongplays', 'LoadedUsers', 'LoadedTotalSeconds']) {
      expect(outputs).toContain(name);
    }
  });
});

describe('the COPY role', () => {
  it('is assumed by Redshift and reads exactly the source prefixes, the JSONPaths file and songs/ and events/ of the staging bucket', () => {
    const { template } = provisioned;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'redshift.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'ReadSourceObjects',
            Effect: 'Allow',
            Action: 's3:GetObject',
            // Sorted: cdk.json's @aws-cdk/aws-iam:minimizePolicies orders them.
            Resource: [
              'arn:aws:s3:::udacity-dend/log_data*',
              'arn:aws:s3:::udacity-dend/log_json_path.json',
              'arn:aws:s3:::udacity-dend/song_data*',
            ],
          },
          {
            Sid: 'ListSourcePrefixes',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::udacity-dend',
            Condition: { StringLike: { 's3:prefix': ['song_data*', 'log_data*', 'log_json_path.json'] } },
          },
          // The compacted song and event files (test/infra/staging-bucket.test.ts checks these two).
          Match.objectLike({ Sid: 'ReadCompactions', Action: 's3:GetObject' }),
          Match.objectLike({ Sid: 'ListCompactions', Action: 's3:ListBucket' }),
        ],
      },
    });
  });

  it('refuses a source that cannot be a bucket or region, naming the prop', () => {
    expect(() => synth({ source: { bucket: 'Not A Bucket' } })).toThrow(/source.bucket must be an S3 bucket name/);
    expect(() => synth({ source: { region: 'mars' } })).toThrow(/source.region must be an AWS region/);
    expect(() => synth({ source: { logPrefix: "log'; DROP" } })).toThrow(/source.logPrefix/);
  });
});

describe('the load on deploy', () => {
  it('carries the rendered SQL, its hash and the target, and runs its Lambdas on Node.js 24', () => {
    const { template } = provisioned;
    const load = Object.values(template.findResources('Custom::SparkifyLoad'))[0];
    expect(load.Properties.SqlHash).toMatch(/^[0-9a-f]{64}:/);
    expect(load.Properties.Target.clusterIdentifier).toEqual({ Ref: expect.stringMatching(/^WarehouseCluster/) });
    expect(load.Properties.Target.secretArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WarehouseCluster/), 'MasterPasswordSecretArn'] });
    expect(load.Properties.ServiceTimeout).toBe('3600');
    const copy = JSON.stringify(load.Properties.Statements.find((sql: unknown) => JSON.stringify(sql).includes('COPY staging_events')));
    // The compacted events in the staging bucket (onEvent writes them), gzip'd, no REGION (test/infra/staging-bucket.test.ts shows the SQL).
    expect(copy).toMatch(/FROM 's3:\/\/",\{"Ref":"StagingBucket[^"]*"\},"\/events\/log_data\.manifest'/);
    expect(copy).toMatch(/FORMAT AS JSON 's3:\/\/",\{"Ref":"StagingBucket[^"]*"\},"\/events\/log_json_path\.json'/);
    expect(copy).toContain('MANIFEST\\nGZIP');
    expect(copy).not.toContain('REGION');
    expect(copy).toMatch(/IAM_ROLE '",\{"Fn::GetAtt":\["CopyRole/);
    expect(load.Properties.Statements).toHaveLength(load.Properties.StatementInfo.length);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Runtime: 'nodejs24.x' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: 'nodejs24.x' });
  });

  it('bundles the pinned Data API client (not the runtime’s) and prints stack traces through the source map', () => {
    const { stack, template } = provisioned;
    const [onEvent] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } }));
    expect(onEvent.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    // The asset's folder in the cloud assembly is named by the hash its S3 key carries.
    const bundle = path.join((stack.node.root as App).outdir, `asset.${String(onEvent.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const code = readFileSync(path.join(bundle, 'index.js'), 'utf8');
    // Left external, the client would be required from the runtime's own SDK.
    expect(code).not.toMatch(/require\("@aws-sdk\/client-/);
    expect(code).toContain('redshift-data');
    expect(code).toContain('BatchExecuteStatement');
    expect(existsSync(path.join(bundle, 'index.js.map'))).toBe(true);
  });

  it('changes its SqlHash when the source changes, so the next deploy loads again', () => {
    const hash = (props: Parameters<typeof synth>[0]) =>
      Object.values(synth(props, { 'aws:cdk:bundling-stacks': [] }).template.findResources('Custom::SparkifyLoad'))[0].Properties.SqlHash;
    expect(hash({ source: { logPrefix: 'logs-v2' } })).not.toBe(hash({}));
    expect(hash({})).toBe(hash({}));
  });

  it('scopes Data API calls to the cluster and its admin secret; only following and cancelling own statements is on *', () => {
    const { template } = provisioned;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'RunStatementsOnThisWarehouse',
            Action: 'redshift-data:BatchExecuteStatement',
            Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
          Match.objectLike({
            Sid: 'FollowOwnStatements',
            Action: [
              'redshift-data:CancelStatement',
              'redshift-data:DescribeStatement',
              'redshift-data:GetStatementResult',
              'redshift-data:ListStatements',
            ],
            Resource: '*',
          }),
          Match.objectLike({ Sid: 'AuthenticateWithAdminSecret', Action: 'secretsmanager:GetSecretValue' }),
        ]),
      },
    });
  });
});

describe('the analysts’ IAM role', () => {
  /** The analysts' role and the statements of its own policy. */
  function analystRole(template: Template) {
    const [[id, role]] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([logicalId]) => logicalId.startsWith('AnalystsRole'));
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(id))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    return { id, role, statements };
  }

  it('is tagged RedshiftDbRoles = the database role sql/03_grant_read.sql creates, and trusts the account by default', () => {
    const { role } = analystRole(provisioned.template);
    expect(role.Properties.Tags).toContainEqual({ Key: 'RedshiftDbRoles', Value: ANALYSTS_DATABASE_ROLE });
    expect(readFileSync(path.join(SQL_DIR, '03_grant_read.sql'), 'utf8')).toContain(`CALL sp_sparkify_create_role('${ANALYSTS_DATABASE_ROLE}');`);
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':root');
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('AmazonRedshiftQueryEditorV2NoSharing');
  });

  it('signs in with its own identity: GetClusterCredentialsWithIAM on the database of a cluster, GetCredentials on a workgroup', () => {
    const cluster = analystRole(provisioned.template).statements;
    expect(cluster).toContainEqual(expect.objectContaining({ Action: 'redshift:GetClusterCredentialsWithIAM' }));
    expect(JSON.stringify(cluster.find((statement) => statement.Action === 'redshift:GetClusterCredentialsWithIAM')?.Resource)).toMatch(/:dbname:",\{"Ref":"WarehouseCluster[^"]*"\},"\/sparkify"/);
    const workgroup = analystRole(serverless.template).statements;
    expect(workgroup).toContainEqual(
      expect.objectContaining({ Action: 'redshift-serverless:GetCredentials', Resource: { 'Fn::Join': expect.anything() } }),
    );
    expect(JSON.stringify(workgroup)).not.toContain('GetClusterCredentials');
  });

  it('queries only this warehouse, follows only its own session’s statements, and may read no secret', () => {
    const { statements } = analystRole(provisioned.template);
    const run = statements.find((statement) => JSON.stringify(statement.Action).includes('redshift-data:ExecuteStatement'));
    expect(JSON.stringify(run?.Resource)).toContain(':cluster:');
    const follow = statements.find((statement) => JSON.stringify(statement.Action).includes('redshift-data:GetStatementResult'));
    expect(follow).toMatchObject({ Resource: '*', Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } } });
    expect(JSON.stringify(statements)).not.toMatch(/secretsmanager|redshift-data:\*|"s3:/);
  });

  it('trusts only the principals -c analystPrincipals names, and refuses what is not an IAM ARN', () => {
    const arn = 'arn:aws:iam::123456789012:role/BiTool';
    const { template } = synth(readAppConfig((key) => (key === 'analystPrincipals' ? arn : undefined)).props, { 'aws:cdk:bundling-stacks': [] });
    expect(analystRole(template).role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: arn });
    expect(() => readAppConfig((key) => (key === 'analystPrincipals' ? 'bob' : undefined))).toThrow(/analystPrincipals= takes IAM role, user or account root ARNs/);
  });
});

describe('the Serverless variant', () => {
  const { template } = serverless;

  it('has a namespace whose admin password comes from its secret by reference, the COPY role as default, and a private workgroup', () => {
    template.resourceCountIs('AWS::Redshift::Cluster', 0);
    template.hasResourceProperties('AWS::RedshiftServerless::Namespace', {
      ManageAdminPassword: Match.absent(),
      AdminUsername: 'sparkify_admin',
      AdminUserPassword: {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^WarehouseAdminSecret') }, ':SecretString:password::}}']],
      },
      DefaultIamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CopyRole'), 'Arn'] },
      LogExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password', SecretStringTemplate: '{"username":"sparkify_admin"}' }),
    });
    template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      PubliclyAccessible: false,
      Port: 5440,
      BaseCapacity: 8,
      ConfigParameters: Match.arrayWith([{ ParameterKey: 'require_ssl', ParameterValue: 'true' }]),
    });
    template.hasResource('AWS::RedshiftServerless::Namespace', { DeletionPolicy: 'RetainExceptOnCreate' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('loads on the workgroup as the admin user, through the admin secret, like a cluster (one owner of every table)', () => {
    const load = Object.values(template.findResources('Custom::SparkifyLoad'))[0];
    expect(load.Properties.Target.workgroupName).toBeDefined();
    expect(load.Properties.Target.secretArn).toEqual({ Ref: expect.stringMatching(/^WarehouseAdminSecret/) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AuthenticateWithAdminSecret', Action: 'secretsmanager:GetSecretValue', Resource: load.Properties.Target.secretArn }),
        ]),
      },
    });
  });

  it('exports its audit logs to CloudWatch log groups of its own, which expire, and writes no audit bucket', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).filter((group) =>
      JSON.stringify(group.Properties.LogGroupName ?? '').includes('/aws/redshift/'),
    );
    expect(groups).toHaveLength(3);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(365);
    const namespace = Object.entries(template.findResources('AWS::RedshiftServerless::Namespace'))[0];
    for (const type of ['userlog', 'connectionlog', 'useractivitylog']) {
      // Serverless writes to /aws/redshift/<namespace>/<log type>, into that group when it exists (mgmt guide, serverless-audit-logging).
      expect(groups.map((group) => JSON.stringify(group.Properties.LogGroupName))).toContainEqual(
        JSON.stringify({ 'Fn::Join': ['', ['/aws/redshift/', namespace[1].Properties.NamespaceName, `/${type}`]] }),
      );
    }
    expect(namespace[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WarehouseAuditLog/)]));
    // Its one bucket is the staging bucket of the compacted song files.
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^StagingBucket/)]);
  });

  it('refuses a base capacity Redshift Serverless does not offer', () => {
    expect(() => synth({ serverless: true, baseCapacity: 12 })).toThrow(/baseCapacity must be 4 or a multiple of 8/);
  });
});

describe('the sampleData variant', () => {
  const { template } = sample;

  it('deploys the sample into a private bucket of the stack and loads from it, in the stack region', () => {
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const load = Object.values(template.findResources('Custom::SparkifyLoad'))[0];
    expect(load.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^SampleDataDeployment/)]));
    // onEvent compacts from the sample bucket (the COPYs then read the staging bucket: test/infra/staging-bucket.test.ts).
    expect(load.Properties.Compaction).toMatchObject({ SourceBucket: { Ref: expect.stringMatching(/^SampleData/) }, SourceRegion: { Ref: 'AWS::Region' } });
    template.hasResourceProperties('AWS::Redshift::Cluster', { EnhancedVpcRouting: true });
  });
});

describe('validation', () => {
  it('names the problem with a node count the node type cannot have', () => {
    expect(() => synth({ nodeType: 'ra3.4xlarge' })).toThrow(/single-node cluster needs ra3.large or ra3.xlplus/);
  });

  it('allows a multi-node cluster, passing NumberOfNodes', () => {
    synth({ nodeType: 'ra3.4xlarge', numberOfNodes: 2 }).template.hasResourceProperties('AWS::Redshift::Cluster', {
      ClusterType: 'multi-node',
      NumberOfNodes: 2,
    });
  });

  it('deletes everything with destroyOnDelete', () => {
    const { template } = synth({ destroyOnDelete: true });
    template.hasResource('AWS::Redshift::Cluster', { DeletionPolicy: 'Delete' });
  });
});
