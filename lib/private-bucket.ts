import { RemovalPolicy, aws_s3 as s3 } from 'aws-cdk-lib';

/**
 * What every bucket of the warehouse has, written once: encrypted with S3-managed keys
 * (the audit logs require SSE-S3), no public access, TLS only, and removed with its
 * objects only when `removalPolicy` is DESTROY (the stack's destroyOnDelete).
 */
export function privateBucketProps(removalPolicy: RemovalPolicy): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy,
    autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
  };
}
