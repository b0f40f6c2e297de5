import { CfnResource, RemovalPolicy, type IAspect, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/** Properties of {@link LogGroupsExpire}. */
export interface LogGroupsExpireProps {
  /** What happens to every log group when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * How long a log group that names no retention keeps its logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly defaultRetention?: logs.RetentionDays;
}

/**
 * Makes every log group in its scope expire and follow one removal policy, including
 * those CDK's own constructs make (the Provider framework's functions get a log group
 * with no retention, RETAINed), and gives CDK's helper functions that have none (the
 * handlers of `autoDeleteObjects` and of the VPC's default security group) one, where
 * Lambda would otherwise make a group at run time that no stack deletes.
 */
export class LogGroupsExpire implements IAspect {
  constructor(private readonly props: LogGroupsExpireProps) {}

  visit(node: IConstruct): void {
    const retention = this.props.defaultRetention ?? logs.RetentionDays.THREE_MONTHS;
    if (node instanceof logs.CfnLogGroup) {
      node.retentionInDays ??= retention;
      node.applyRemovalPolicy(this.props.removalPolicy);
    } else if (isHelperFunction(node) && node.node.scope && !node.node.scope.node.tryFindChild('Logs')) {
      const group = new logs.LogGroup(node.node.scope as Construct, 'Logs', { retention, removalPolicy: this.props.removalPolicy });
      node.addPropertyOverride('LoggingConfig.LogGroup', group.logGroupName);
    }
  }
}

/** A function made as a plain CfnResource (CDK's CustomResourceProvider handlers), not through aws-lambda. */
function isHelperFunction(node: IConstruct): node is CfnResource {
  return node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function' && !(node instanceof lambda.CfnFunction);
}
