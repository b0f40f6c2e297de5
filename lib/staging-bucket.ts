import { Duration, RemovalPolicy, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEPLOY_SONGS_PREFIX } from '../src/compaction/deploy-songs';
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
 * The bucket the deploy's load compacts the song files into before its COPY (few gzip'd
 * JSON-lines files instead of one tiny file per song): private, encrypted (SSE-S3),
 * TLS only, old compactions expired. The load's role writes it, the COPY role reads it.
 */
export class StagingBucket extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StagingBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ prefix: DEPLOY_SONGS_PREFIX, expiration: props.compactionExpiry ?? Duration.days(7) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Holds only the compacted copies of the public song catalogue that the deploy load writes and its COPY reads, expired after days; no personal data.',
    );
  }

  /** Lets the load's role write compacted files and their manifest under songs/, nothing else. */
  grantWriteCompactions(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteSongCompactions', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${DEPLOY_SONGS_PREFIX}*`)] }),
    );
  }

  /**
   * Lets Redshift's COPY role read the compacted files and their manifest under songs/
   * (COPY asks for GET and LIST on what it loads), nothing else.
   */
  grantReadCompactions(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadSongCompactions', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${DEPLOY_SONGS_PREFIX}*`)] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListSongCompactions',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${DEPLOY_SONGS_PREFIX}*`] } },
      }),
    );
  }
}
