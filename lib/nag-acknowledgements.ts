import { Stack, Validations, aws_iam as iam } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with the reason a security
 * reviewer can check. Every other finding fails `cdk synth` and the tests.
 */
export function acknowledgeNagFindings(stack: Stack): void {
  const at = (path: string) => path.split('/').reduce<IConstruct | undefined>((node, id) => node?.node.tryFindChild(id), stack);
  const frameworkReason =
    'A function of the AWS CDK framework itself (custom-resource provider, bucket deployment, default security group cleanup): ' +
    'AWSLambdaBasicExecutionRole grants only CloudWatch Logs writes, its wildcards are the versions of the functions it invokes ' +
    'or the objects it copies, and CDK chooses its runtime.';

  acknowledgeWildcards(
    at('CopyRole'),
    'COPY reads every object under the source prefixes, and a scheduled run\'s lists under runs/ of its bucket: the wildcards end those prefixes, read-only (s3:GetObject).',
  );
  acknowledgeWildcards(
    at('ScheduledLoad/Role'),
    'A scheduled run reads every object under the source prefixes (to hash the new ones) and writes its lists under runs/ of its bucket: the wildcards end ' +
      'those prefixes, with s3:GetObject and s3:PutObject only. redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no ' +
      'resource-level permissions (the Data API only shows a caller its own statements), nor has xray:PutTraceSegments; the log-group wildcard is the ' +
      "streams of the function's own log group.",
  );
  acknowledge(
    at('ScheduledLoad/Runs'),
    'AwsSolutions-S1',
    "Holds only the lists of file keys and hashes each scheduled run writes for COPY, read by the COPY role and expired after 30 days; no personal data.",
  );
  acknowledge(
    at('ScheduledLoad/DeadLetterQueue'),
    'AwsSolutions-SQS3',
    "This queue is the dead-letter queue (the scheduled function's on-failure destination and its rule target's DLQ); cdk-nag only recognises " +
      "a queue named in another queue's redrive policy as one.",
  );
  acknowledgeWildcards(
    at('Load/Role'),
    'redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no resource-level permissions in IAM (the Data API ' +
      'only shows and cancels a caller its own statements), nor has xray:PutTraceSegments; the log-group wildcards are the streams of the functions own log groups.',
  );
  acknowledge(
    at('Warehouse/AdminSecret'),
    'AwsSolutions-SMG4',
    "The Serverless admin secret is the project's own because CloudFormation does not return the ARN of the one Redshift manages and rotates " +
      '(manageAdminPassword), and the Data API needs it. Rotating it would take a rotation function inside the isolated VPC with endpoints ' +
      'for Secrets Manager and Redshift; only the loader roles may read it.',
  );
  acknowledgeWildcards(
    at('Analysts'),
    'redshift-data:DescribeStatement, GetStatementResult, ListStatements and CancelStatement have no resource-level permissions in IAM; a ' +
      "condition on redshift-data:statement-owner-iam-userid keeps each session to its own statements. tag:GetResources and GetTagKeys have none " +
      "either: Query Editor v2's federated sign-in reads the principal's RedshiftDbRoles tag with them.",
  );
  acknowledgeManagedPolicies(
    at('Analysts'),
    'AmazonRedshiftQueryEditorV2NoSharing is the AWS managed policy Query Editor v2 documents for its users (no sharing of saved queries); ' +
      'it grants no access to data, which the database role analysts limits to reading.',
  );
  for (const path of ['AuditLogs', 'SampleData']) {
    acknowledge(
      at(path),
      'AwsSolutions-S1',
      path === 'AuditLogs'
        ? 'This bucket receives the Redshift audit logs; its own access logs would need another log bucket, and so on. Its policy admits only Redshift (PutObject, GetBucketAcl) over TLS.'
        : 'A private copy of the generated sample data, written once by the deployment and read only by the COPY role; it holds no personal data.',
    );
  }
  const frameworkPaths = ['Load/Provider', ...stack.node.children.map((child) => child.node.id).filter((id) => id.startsWith('Custom::'))];
  for (const path of frameworkPaths) {
    acknowledgeWildcards(at(path), frameworkReason);
    acknowledgeManagedPolicies(at(path), frameworkReason);
    acknowledge(at(path), 'AwsSolutions-L1', frameworkReason);
  }
  acknowledge(
    at('Load/Provider'),
    'AwsSolutions-SF2',
    'The CDK Provider framework does not let its waiter state machine enable X-Ray; the load functions it calls are traced.',
  );
}

function acknowledge(construct: IConstruct | undefined, id: string, reason: string): void {
  if (construct) Validations.of(construct).acknowledge({ id, reason });
}

/** cdk-nag's way of printing a resolved value: Ref and GetAtt become <LogicalId> and <LogicalId.Attr>. */
function nagText(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return `<${intrinsic.Ref as string}>`;
  if ('Fn::GetAtt' in intrinsic) return `<${(intrinsic['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Sub' in intrinsic && typeof intrinsic['Fn::Sub'] === 'string') return intrinsic['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>');
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(nagText).join(separator);
  }
  return JSON.stringify(value);
}

/** Acknowledges each wildcard resource or action of the IAM policies under `construct`, finding by finding. */
function acknowledgeWildcards(construct: IConstruct | undefined, reason: string): void {
  for (const policy of construct?.node.findAll().filter((node) => node instanceof iam.CfnPolicy) ?? []) {
    const document = Stack.of(policy).resolve((policy as iam.CfnPolicy).policyDocument) as { Statement: Record<string, unknown>[] };
    for (const statement of document.Statement) {
      for (const [key, finding] of [['Resource', 'Resource'], ['Action', 'Action']] as const) {
        const values = ([] as unknown[]).concat(statement[key] ?? []).map(nagText);
        for (const value of values.filter((text) => text.includes('*'))) acknowledge(policy, `AwsSolutions-IAM5[${finding}::${value}]`, reason);
      }
    }
  }
}

/** Acknowledges each AWS managed policy of the roles under `construct`. */
function acknowledgeManagedPolicies(construct: IConstruct | undefined, reason: string): void {
  for (const role of construct?.node.findAll().filter((node) => node instanceof iam.CfnRole) ?? []) {
    const arns = (Stack.of(role).resolve((role as iam.CfnRole).managedPolicyArns) ?? []) as unknown[];
    for (const arn of arns) acknowledge(role, `AwsSolutions-IAM4[Policy::${nagText(arn)}]`, reason);
  }
}

