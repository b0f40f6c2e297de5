import { RemovalPolicy, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties of {@link AuditLogBucket}. */
export interface AuditLogBucketProps {
  /**
   * What happens to the bucket (and the audit logs in it) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket Redshift writes its audit logs to. Redshift requires SSE-S3 (not KMS) and a
 * bucket policy letting the Redshift service put objects and read the bucket ACL.
 */
export class AuditLogBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditLogBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    const redshift = new iam.ServicePrincipal('redshift.amazonaws.com');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [redshift], actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [redshift], actions: ['s3:GetBucketAcl'], resources: [this.bucket.bucketArn] }),
    );
  }
}
