import { ArnFormat, Stack, Tags, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ANALYSTS_DATABASE_ROLE } from '../src/sql/access';
import { acknowledgeManagedPolicies, acknowledgeWildcards } from './nag';
import type { WarehouseTarget } from '../src/data-api/target';

/** Properties of {@link AnalystAccess}. */
export interface AnalystAccessProps {
  /** The warehouse the analysts read. */
  readonly target: WarehouseTarget;
  /**
   * Who may assume the analyst role (each also needs `sts:AssumeRole` on it in its own
   * policies, unless it is in another account's trust).
   * @default the stack's account (any of its principals that its own policy allows)
   */
  readonly principals?: readonly iam.IPrincipal[];
}

/**
 * An IAM role for the people who query the warehouse. It is tagged `RedshiftDbRoles` =
 * `analysts`, so the database user Redshift makes for it (`IAMR:<role name>`) gets the
 * database role `analysts`, which may read every table and nothing more. It may sign in
 * with its own identity (Serverless `GetCredentials`, a cluster's
 * `GetClusterCredentialsWithIAM`), run statements through the Data API on this warehouse
 * and follow only its own sessions' statements, and use Query Editor v2 (the AWS managed
 * policy AmazonRedshiftQueryEditorV2NoSharing, plus the tag reads its federated sign-in needs).
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-iam-access-federated-db-roles.html
 */
export class AnalystAccess extends Construct {
  /** The role analysts assume. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AnalystAccessProps) {
    super(scope, id);
    const { target } = props;
    const principals = props.principals ?? [new iam.AccountRootPrincipal()];
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(...principals),
      description: `Reads the Sparkify warehouse as its database role ${ANALYSTS_DATABASE_ROLE}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonRedshiftQueryEditorV2NoSharing')],
    });
    // Redshift grants the database roles this tag lists when the role signs in (they must exist: the deploy's load makes it).
    Tags.of(this.role).add('RedshiftDbRoles', ANALYSTS_DATABASE_ROLE);
    this.role.addToPolicy(
      target.workgroupName
        ? new iam.PolicyStatement({ sid: 'SignInToTheWorkgroup', actions: ['redshift-serverless:GetCredentials'], resources: [target.resourceArn] })
        : new iam.PolicyStatement({
            sid: 'SignInToTheDatabase',
            actions: ['redshift:GetClusterCredentialsWithIAM'],
            resources: [
              Stack.of(this).formatArn({
                service: 'redshift',
                resource: 'dbname',
                resourceName: `${target.clusterIdentifier}/${target.database}`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'QueryThisWarehouse',
        actions: [
          'redshift-data:ExecuteStatement',
          'redshift-data:BatchExecuteStatement',
          'redshift-data:ListDatabases',
          'redshift-data:ListSchemas',
          'redshift-data:ListTables',
          'redshift-data:DescribeTable',
        ],
        resources: [target.resourceArn],
      }),
    );
    // These have no resource type in IAM; the condition keeps each session to its own statements.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FollowOwnStatements',
        actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:ListStatements', 'redshift-data:CancelStatement'],
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
    );
    // Query Editor v2's federated sign-in reads the principal's RedshiftDbRoles tag.
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadOwnDatabaseRoleTag', actions: ['tag:GetResources', 'tag:GetTagKeys'], resources: ['*'] }),
    );
    acknowledgeWildcards(
      this,
      'redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no resource-level permissions in IAM; a ' +
        "condition on redshift-data:statement-owner-iam-userid keeps each session to its own statements. tag:GetResources and GetTagKeys have none " +
        "either: Query Editor v2's federated sign-in reads the principal's RedshiftDbRoles tag with them.",
    );
    acknowledgeManagedPolicies(
      this,
      'AmazonRedshiftQueryEditorV2NoSharing is the AWS managed policy Query Editor v2 documents for its users (no sharing of saved queries); ' +
        'it grants no access to data, which the database role analysts limits to reading.',
    );
  }
}
