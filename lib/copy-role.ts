import { aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ResolvedSource } from './source';

/** Properties of {@link CopyRole}. */
export interface CopyRoleProps {
  /** What COPY reads. */
  readonly source: ResolvedSource;
}

/**
 * The role Redshift assumes to run COPY: read-only on exactly the source bucket's song
 * and log prefixes and the JSONPaths file, nothing else.
 */
export class CopyRole extends Construct {
  /** The role; attach it to the cluster or namespace. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CopyRoleProps) {
    super(scope, id);
    const { bucket, songPrefix, logPrefix, jsonPathsKey } = props.source;
    const bucketArn = `arn:aws:s3:::${bucket}`;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('redshift.amazonaws.com'),
      description: `Lets Redshift COPY read s3://${bucket}/${songPrefix}, ${logPrefix} and ${jsonPathsKey}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceObjects',
        actions: ['s3:GetObject'],
        resources: [`${bucketArn}/${songPrefix}*`, `${bucketArn}/${logPrefix}*`, `${bucketArn}/${jsonPathsKey}`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListSourcePrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${songPrefix}*`, `${logPrefix}*`, jsonPathsKey] } },
      }),
    );
  }
}
