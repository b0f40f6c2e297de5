import { aws_iam as iam } from 'aws-cdk-lib';
import type { DataApiTarget } from './warehouse';

/**
 * Lets a role run statements on the warehouse through the Redshift Data API, follow
 * and cancel its own statements, and authenticate with the admin secret:
 * BatchExecuteStatement on this cluster or workgroup only, GetSecretValue on that one
 * secret's ARN.
 */
export function grantDataApiAccess(role: iam.Role, target: DataApiTarget): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'RunStatementsOnThisWarehouse',
      actions: ['redshift-data:BatchExecuteStatement'],
      resources: [target.resourceArn],
    }),
  );
  // DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no
  // resource type in IAM: they cannot be scoped to a resource. The Data API itself lets
  // a caller see and cancel only the statements its own identity submitted.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'FollowOwnStatements',
      actions: [
        'redshift-data:DescribeStatement',
        'redshift-data:GetStatementResult',
        'redshift-data:ListStatements',
        'redshift-data:CancelStatement',
      ],
      resources: ['*'],
    }),
  );
  // The Data API reads the admin secret with the caller's rights; the code never does.
  role.addToPolicy(
    new iam.PolicyStatement({ sid: 'AuthenticateWithAdminSecret', actions: ['secretsmanager:GetSecretValue'], resources: [target.secretArn] }),
  );
}
