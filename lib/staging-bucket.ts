import { Duration, RemovalPolicy, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket';
import { DEPLOY_STAGING_PREFIXES } from '../src/compaction/deploy-compaction';
import { acknowledge } from './nag';

/** Properties of {@link StagingBucket}. */
export interface StagingBucketProps {
  /**
   * What happens to the bucket and its compacted files when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long a compaction's files are kept. Every deploy load compacts again, so only
   * the latest is read, and only during its load.
   * @default Duration.days(7)
   */
  readonly compactionExpiry?: Duration;
}

/**
 * The bucket the deploy's load compacts the song and event files into before its COPYs
 * (few gzip'd JSON-lines files instead of one tiny file per song), under songs/ and events/: private, encrypted (SSE-S3),
 * TLS only, old compactions expired. The load's role writes it, the COPY role reads it.
 */
export class StagingBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StagingBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(removalPolicy),
      lifecycleRules: DEPLOY_STAGING_PREFIXES.map((prefix) => ({ prefix, expiration: props.compactionExpiry ?? Duration.days(7) })),
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Holds only the compacted copies of the source song and event files that the deploy load writes and its COPYs read, expired after days.',
    );
  }

  /** Lets the load's role write compacted files, their manifests and the JSONPaths copy under songs/ and events/, nothing else. */
  grantWriteCompactions(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteCompactions', actions: ['s3:PutObject'], resources: this.compactionObjects() }));
  }

  /**
   * Lets Redshift's COPY role read what the load wrote under songs/ and events/ (COPY
   * asks for GET and LIST on what it loads), nothing else.
   */
  grantReadCompactions(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadCompactions', actions: ['s3:GetObject'], resources: this.compactionObjects() }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListCompactions',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': DEPLOY_STAGING_PREFIXES.map((prefix) => `${prefix}*`) } },
      }),
    );
  }

  private compactionObjects(): string[] {
    return DEPLOY_STAGING_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`));
  }
}
