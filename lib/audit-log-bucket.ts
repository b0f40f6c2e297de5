import { Aws, CfnCondition, Fn, RemovalPolicy, Stack, Token, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket';
import { acknowledge } from './nag';

/** Properties of {@link AuditLogBucket}. */
export interface AuditLogBucketProps {
  /**
   * What happens to the bucket (and the audit logs in it) when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket a provisioned cluster writes its audit logs to. Redshift requires SSE-S3
 * (not KMS) and a bucket policy letting the Redshift service put objects and read the
 * bucket ACL: `redshift.amazonaws.com`, or in a Region that must be opted in to,
 * `redshift.<region>.amazonaws.com`. Only this account's clusters in this Region may
 * use it (`aws:SourceAccount`, `aws:SourceArn`), so no other account's cluster can make
 * Redshift write here (the confused deputy).
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing-bucket-permissions.html
 */
export class AuditLogBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditLogBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(removalPolicy),
      versioned: true,
    });
    const redshift = new iam.ServicePrincipal(this.redshiftServicePrincipal());
    const conditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:redshift:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster:*` },
    };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [redshift], actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')], conditions }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [redshift], actions: ['s3:GetBucketAcl'], resources: [this.bucket.bucketArn], conditions }),
    );
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'This bucket receives the Redshift audit logs; its own access logs would need another log bucket, and so on. Its policy admits only Redshift (PutObject, GetBucketAcl) over TLS.',
    );
  }

  /** The Redshift service principal of the stack's Region: decided at synth when the Region is known, else at deploy. */
  private redshiftServicePrincipal(): string {
    const stack = Stack.of(this);
    const regional = `redshift.${stack.region}.amazonaws.com`;
    if (!Token.isUnresolved(stack.region)) {
      return RegionInfo.get(stack.region).isOptInRegion ? regional : 'redshift.amazonaws.com';
    }
    const optIn = new CfnCondition(this, 'OptInRegion', {
      expression: Fn.conditionEquals(stack.regionalFact(FactName.IS_OPT_IN_REGION), 'YES'),
    });
    return Fn.conditionIf(optIn.logicalId, regional, 'redshift.amazonaws.com').toString();
  }
}
