import { aws_iam as iam } from 'aws-cdk-lib';
import type { DataApiTarget } from './warehouse';

/**
 * Lets a role run statements on the warehouse through the Redshift Data API and follow
 * its own statements: BatchExecuteStatement on this cluster or workgroup only, and the
 * authentication the target uses (the admin secret's ARN, or Serverless IAM credentials).
 */
export function grantDataApiAccess(role: iam.Role, target: DataApiTarget): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RunStatementsOnThisWarehouse',
      actions: ['redshift-data:BatchExecuteStatement'],
      resources: [target.resourceArn],
    }),
  );
  // DescribeStatement, GetStatementResult and ListStatements have no resource type in
  // IAM: they cannot be scoped to a resource. The Data API itself lets a caller see
  // only the statements its own identity submitted.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'FollowOwnStatements',
      actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:ListStatements'],
      resources: ['*'],
    }),
  );
  if (target.secretArn) {
    // The Data API reads the Redshift-managed admin secret with the caller's rights; the code never does.
    role.addToPolicy(
      new iam.PolicyStatement({ sid: 'AuthenticateWithAdminSecret', actions: ['secretsmanager:GetSecretValue'], resources: [target.secretArn] }),
    );
  }
  if (target.workgroupName) {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AuthenticateWithIam',
        actions: ['redshift-serverless:GetCredentials'],
        resources: [target.resourceArn],
      }),
    );
  }
}
