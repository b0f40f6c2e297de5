import { Token, aws_iam as iam } from 'aws-cdk-lib';
import type { SourceFiles } from '../src/sql/plan';

/** Where the source JSON lives in S3. */
export interface SourceLocation {
  /**
   * The bucket holding the song and log files.
   * @default 'udacity-dend' (the public Sparkify dataset)
   */
  readonly bucket?: string;
  /**
   * The bucket's region. COPY is given it as REGION; when it differs from the stack's
   * region, COPY cannot go through the VPC's S3 gateway endpoint, so the warehouse is
   * created without enhanced VPC routing.
   * @default 'us-west-2' (where the public dataset is)
   */
  readonly region?: string;
  /**
   * Key prefix of the song files.
   * @default 'song_data'
   */
  readonly songPrefix?: string;
  /**
   * Key prefix of the event log files.
   * @default 'log_data'
   */
  readonly logPrefix?: string;
  /**
   * Key of the JSONPaths file mapping event keys to staging_events columns.
   * @default 'log_json_path.json'
   */
  readonly jsonPathsKey?: string;
}

/** A source location with every default filled in. */
export type ResolvedSource = SourceFiles;

/** The public Sparkify dataset. */
export const PUBLIC_DATASET: ResolvedSource = {
  bucket: 'udacity-dend',
  region: 'us-west-2',
  songPrefix: 'song_data',
  logPrefix: 'log_data',
  jsonPathsKey: 'log_json_path.json',
};

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KEY = /^[^\s'\\]+$/;

/**
 * Fills in the defaults and refuses values that cannot be a bucket, region or key, with
 * a message that names the prop. Unresolved tokens (a bucket made in the stack) pass.
 * @throws Error naming the first invalid prop
 */
export function resolveSource(source: SourceLocation = {}): ResolvedSource {
  const resolved = { ...PUBLIC_DATASET, ...definedOnly(source) };
  const check = (name: keyof ResolvedSource, pattern: RegExp, what: string) => {
    const value = resolved[name];
    if (!Token.isUnresolved(value) && !pattern.test(value)) {
      throw new Error(`source.${name} must be ${what}, got ${JSON.stringify(value)}`);
    }
  };
  check('bucket', BUCKET_NAME, 'an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)');
  check('region', REGION, 'an AWS region such as us-west-2');
  check('songPrefix', KEY, 'an S3 key prefix without spaces, quotes or backslashes');
  check('logPrefix', KEY, 'an S3 key prefix without spaces, quotes or backslashes');
  check('jsonPathsKey', KEY, 'an S3 key without spaces, quotes or backslashes');
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Lets a role list the source's song and log prefixes and read their objects, plus the
 * given keys (such as the JSONPaths file): nothing else of the bucket.
 */
export function grantSourceRead(role: iam.Role, source: ResolvedSource, keys: readonly string[] = []): void {
  const bucketArn = `arn:aws:s3:::${source.bucket}`;
  const prefixes = [`${source.songPrefix}*`, `${source.logPrefix}*`];
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadSourceObjects',
      actions: ['s3:GetObject'],
      resources: [...prefixes, ...keys].map((key) => `${bucketArn}/${key}`),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ListSourcePrefixes',
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [...prefixes, ...keys] } },
    }),
  );
}
