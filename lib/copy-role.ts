import { aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './nag';
import { grantSourceRead, type ResolvedSource } from './source';

/** Properties of {@link CopyRole}. */
export interface CopyRoleProps {
  /** What COPY reads. */
  readonly source: ResolvedSource;
  /**
   * Whether Redshift Serverless assumes the role. Serverless assumes it as
   * `redshift-serverless.amazonaws.com`, so its trust policy names both services.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-security-other-services.html
   * @default false
   */
  readonly serverless?: boolean;
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
    this.role = new iam.Role(this, 'Role', {
      assumedBy: props.serverless
        ? new iam.CompositePrincipal(new iam.ServicePrincipal('redshift.amazonaws.com'), new iam.ServicePrincipal('redshift-serverless.amazonaws.com'))
        : new iam.ServicePrincipal('redshift.amazonaws.com'),
      description: `Lets Redshift COPY read s3://${bucket}/${songPrefix}, ${logPrefix} and ${jsonPathsKey}`,
    });
    grantSourceRead(this.role, props.source, [jsonPathsKey]);
    acknowledgeWildcards(
      this,
      'COPY reads every object under the source prefixes, and a scheduled run\'s lists under runs/ of its bucket: the wildcards end those prefixes, read-only (s3:GetObject).',
    );
  }
}
