import { aws_iam as iam } from 'aws-cdk-lib';
import type { WarehouseTarget } from '../src/data-api/target';

/** The Data API actions that run statements, each of which can be scoped to the warehouse. */
export type RunStatementAction = 'redshift-data:BatchExecuteStatement' | 'redshift-data:ExecuteStatement';

/**
 * Lets a principal run statements on the warehouse through the Redshift Data API, follow
 * and cancel its own statements, and authenticate with the admin secret: the run actions
 * on this cluster or workgroup only, GetSecretValue on that one secret's ARN.
 * @param actions the run actions granted: by default BatchExecuteStatement, all the loads use
 */
export function grantDataApiAccess(
  grantee: iam.IGrantable,
  target: WarehouseTarget,
  actions: readonly RunStatementAction[] = ['redshift-data:BatchExecuteStatement'],
): iam.Grant {
  const run = statement(grantee, 'RunStatementsOnThisWarehouse', [...actions], [target.resourceArn]);
  // DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no
  // resource type in IAM: they cannot be scoped to a resource. The Data API itself lets
  // a caller see and cancel only the statements its own identity submitted.
  const follow = statement(
    grantee,
    'FollowOwnStatements',
    ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:ListStatements', 'redshift-data:CancelStatement'],
    ['*'],
  );
  // The Data API reads the admin secret with the caller's rights; the code never does.
  const authenticate = statement(grantee, 'AuthenticateWithAdminSecret', ['secretsmanager:GetSecretValue'], [target.secretArn]);
  return run.combine(follow).combine(authenticate);
}

/** One statement on the grantee's own policy, named by `sid` so a reviewer can tell it from the rest. */
function statement(grantee: iam.IGrantable, sid: string, actions: string[], resourceArns: string[]): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns });
  for (const added of grant.principalStatements) added.sid = sid;
  return grant;
}
