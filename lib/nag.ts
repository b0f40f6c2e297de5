import { AspectPriority, Aspects, Stack, Validations, aws_iam as iam, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How each construct acknowledges the cdk-nag AwsSolutions findings on its own resources,
 * with the reason a security reviewer can check. Every other finding fails `cdk synth`
 * and the tests. An acknowledgement on a construct covers the resources under it.
 */

/** Acknowledges one finding on `construct` and the resources under it. */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * Acknowledges each wildcard resource or action of the IAM policies under `construct`,
 * finding by finding. Decided once the tree is complete, so statements added to a role
 * after its construct was made (a grant from another construct) are seen as well.
 */
export function acknowledgeWildcards(construct: IConstruct, reason: string): void {
  whenComplete(construct, (node) => {
    if (!(node instanceof iam.CfnPolicy)) return;
    const document = Stack.of(node).resolve(node.policyDocument) as { Statement: Record<string, unknown>[] };
    for (const statement of document.Statement) {
      for (const key of ['Resource', 'Action'] as const) {
        const values = ([] as unknown[]).concat(statement[key] ?? []).map(nagText);
        for (const value of values.filter((text) => text.includes('*'))) acknowledge(node, `AwsSolutions-IAM5[${key}::${value}]`, reason);
      }
    }
  });
}

/** Acknowledges each AWS managed policy of the roles under `construct`. */
export function acknowledgeManagedPolicies(construct: IConstruct, reason: string): void {
  whenComplete(construct, (node) => {
    if (!(node instanceof iam.CfnRole)) return;
    const arns = (Stack.of(node).resolve(node.managedPolicyArns) ?? []) as unknown[];
    for (const arn of arns) acknowledge(node, `AwsSolutions-IAM4[Policy::${nagText(arn)}]`, reason);
  });
}

const CDK_FRAMEWORK_REASON =
  'A function of the AWS CDK framework itself (custom-resource provider, bucket deployment, default security group cleanup): ' +
  'AWSLambdaBasicExecutionRole grants only CloudWatch Logs writes, its wildcards are the versions of the functions it invokes ' +
  'or the objects it copies, and CDK chooses its runtime.';

/** Acknowledges what cdk-nag finds in a function of the CDK framework, whose role and runtime CDK decides. */
export function acknowledgeCdkFramework(construct: IConstruct): void {
  acknowledgeWildcards(construct, CDK_FRAMEWORK_REASON);
  acknowledgeManagedPolicies(construct, CDK_FRAMEWORK_REASON);
  acknowledge(construct, 'AwsSolutions-L1', CDK_FRAMEWORK_REASON);
}

/**
 * The functions CDK adds once per stack, at its root, for the warehouse's resources: the
 * VPC's default-security-group cleanup, `autoDeleteObjects`, `BucketDeployment`, and the
 * function behind every `AwsCustomResource` (a Serverless usage limit).
 */
export function cdkStackSingletons(scope: IConstruct): IConstruct[] {
  const singleton = /^(Custom::(VpcRestrictDefaultSGCustomResourceProvider|S3AutoDeleteObjectsCustomResourceProvider|CDKBucketDeployment)|AWS679f53fac002430cb0da5b7982bd2287$)/;
  return Stack.of(scope).node.children.filter((child) => singleton.test(child.node.id));
}

/** Runs `visit` on every node under `construct` after the aspects that add resources (CDK's and ours) have run. */
function whenComplete(construct: IConstruct, visit: (node: IConstruct) => void): void {
  const aspect: IAspect = { visit };
  Aspects.of(construct).add(aspect, { priority: AspectPriority.READONLY });
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
