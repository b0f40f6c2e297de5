import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deployStatements } from '../../src/cli/deploy-statements';
import { RA3_NODE_FACTS, SERVERLESS_ASSUMED_SLICES, warehouseSlices } from '../../src/aws/redshift-capacity';
import { synth } from '../helpers/stacks';

const { template } = synth();

/** The policy statements of the role whose logical id starts with `prefix`. */
function statementsOfRole(prefix: string): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(prefix)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}

/** Whether two lists hold the same values, in any order. */
const sameSet = (actual: unknown[], wanted: unknown[]) =>
  actual.length === wanted.length && wanted.every((value) => actual.some((item) => JSON.stringify(item) === JSON.stringify(value)));

const stagingRef = () => Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('StagingBucket')) as string;

describe('the staging bucket the deploy compacts the song and event files into', () => {
  it('is encrypted, blocks public access, expires old compactions and is kept on delete (RETAIN unless destroyOnDelete)', () => {
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { LifecycleConfiguration: Match.anyValue() } })).filter(
      (resource) => JSON.stringify(resource.Properties.LifecycleConfiguration).includes('"songs/"'),
    );
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: [
          { Prefix: 'songs/', ExpirationInDays: 7, Status: 'Enabled' },
          { Prefix: 'events/', ExpirationInDays: 7, Status: 'Enabled' },
        ],
      },
    });
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('denies requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stagingRef() },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('the load may write only songs/ and events/ of it (and read the source and its JSONPaths file); the COPY role may read only those', () => {
    // IAM keeps no order of a statement's resources (CDK sorts them): compared as sets.
    const objects = expect.toSatisfy((resources: unknown[]) =>
      sameSet(resources, ['/songs/*', '/events/*'].map((prefix) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [stagingRef(), 'Arn'] }, prefix]] }))),
    );
    const load = statementsOfRole('LoadRole');
    expect(load).toContainEqual(expect.objectContaining({ Sid: 'WriteCompactions', Action: 's3:PutObject', Resource: objects }));
    expect(load).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadSourceObjects',
        Action: 's3:GetObject',
        Resource: expect.toSatisfy((resources: unknown[]) =>
          sameSet(resources, ['song_data*', 'log_data*', 'log_json_path.json'].map((key) => `arn:aws:s3:::udacity-dend/${key}`)),
        ),
      }),
    );
    expect(load.filter((statement) => JSON.stringify(statement).includes(stagingRef())).map((statement) => statement.Action)).toEqual(['s3:PutObject']);
    const copy = statementsOfRole('CopyRole');
    expect(copy).toContainEqual(expect.objectContaining({ Sid: 'ReadCompactions', Action: 's3:GetObject', Resource: objects }));
    expect(copy).toContainEqual(
      expect.objectContaining({ Sid: 'ListCompactions', Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['songs/*', 'events/*'] } } }),
    );
    expect(copy.filter((statement) => JSON.stringify(statement).includes(stagingRef())).some((statement) => JSON.stringify(statement.Action).includes('Put'))).toBe(false);
  });

  it('tells onEvent (15 minutes to compact) what to compact: the source songs and events, the bucket, the slices of a single ra3.large', () => {
    template.hasResourceProperties('Custom::SparkifyLoad', {
      Compaction: {
        SourceBucket: 'udacity-dend',
        SourceRegion: 'us-west-2',
        SongPrefix: 'song_data',
        LogPrefix: 'log_data',
        JsonPathsKey: 'log_json_path.json',
        StagingBucket: { Ref: stagingRef() }, Slices: '2', MaxErrors: '0' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Timeout: 900 });
  });
});

describe('the slices a warehouse loads with (AWS: the file count a multiple of them)', () => {
  it('are the node type’s slices per node times the nodes; Serverless assumes a multiple of every node type’s', () => {
    expect(warehouseSlices({})).toBe(2);
    expect(warehouseSlices({ nodeType: 'ra3.4xlarge', numberOfNodes: 3 })).toBe(12);
    expect(warehouseSlices({ nodeType: 'ra3.16xlarge', numberOfNodes: 2 })).toBe(32);
    expect(warehouseSlices({ serverless: true, nodeType: 'ra3.large' })).toBe(SERVERLESS_ASSUMED_SLICES);
    expect(Object.values(RA3_NODE_FACTS).every(({ slicesPerNode }) => SERVERLESS_ASSUMED_SLICES % slicesPerNode === 0)).toBe(true);
  });
});

describe('npm run sql', () => {
  it('shows both COPYs reading the compacted gzip files’ manifests in the staging bucket, the events with the JSONPaths copy there, no REGION', { timeout: 120_000 }, async () => {
    const copies = (await deployStatements({})).filter((statement) => statement.startsWith('COPY'));
    expect(copies).toHaveLength(2);
    const songs = copies.find((copy) => copy.startsWith('COPY staging_songs')) ?? '';
    const events = copies.find((copy) => copy.startsWith('COPY staging_events')) ?? '';
    expect(songs).toMatch(/^COPY staging_songs\nFROM 's3:\/\/<staging-bucket>\/songs\/song_data\.manifest'\n[^;]*\nMANIFEST\nGZIP\n/);
    expect(events).toMatch(
      /^COPY staging_events\nFROM 's3:\/\/<staging-bucket>\/events\/log_data\.manifest'\n.*\nFORMAT AS JSON 's3:\/\/<staging-bucket>\/events\/log_json_path\.json'\nMANIFEST\nGZIP\n/,
    );
    expect(copies.join('\n')).not.toContain('udacity-dend');
    expect(copies.join('\n')).not.toContain('REGION');
  });
});
