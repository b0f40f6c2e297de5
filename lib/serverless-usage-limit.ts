import { RemovalPolicy, aws_iam as iam, aws_logs as logs, custom_resources as cr } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { UsageLimitCeiling } from '../src/aws/redshift-capacity';
import { acknowledgeWildcards } from './nag';

/** What Redshift Serverless does when a usage limit is reached. */
export type UsageLimitBreachAction = 'log' | 'emit-metric' | 'deactivate';

/** The RPU-hours a workgroup may use per period, and what happens past them. */
export interface UsageLimit extends UsageLimitCeiling {
  /**
   * What happens when the limit is reached: `log` writes a row to SYS_QUERY_HISTORY,
   * `emit-metric` also sends an alert, `deactivate` turns user queries off until the period ends.
   * @default 'deactivate'
   */
  readonly breachAction?: UsageLimitBreachAction;
}

/** Properties of {@link ServerlessUsageLimit}. */
export interface ServerlessUsageLimitProps {
  /** The ARN of the workgroup the limit applies to. */
  readonly workgroupArn: string;
  /** The limit. */
  readonly limit: UsageLimit;
  /**
   * What happens to the custom resource's log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * An RPU-hour usage limit on a Serverless workgroup (usage type `serverless-compute`).
 * CloudFormation has no resource for it (`AWS::Redshift::UsageLimit` is for clusters:
 * concurrency scaling, Spectrum, data sharing), so a custom resource calls the Redshift
 * Serverless API: CreateUsageLimit on create, UpdateUsageLimit (amount and breach action)
 * on update, DeleteUsageLimit on delete. The API cannot change a limit's period, so the
 * period is part of the construct's id: another period replaces the limit.
 * @see https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateUsageLimit.html
 * @see https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_UpdateUsageLimit.html
 */
export class ServerlessUsageLimit extends Construct {
  /** The custom resource; its physical id is the usage limit's id. */
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: ServerlessUsageLimitProps) {
    super(scope, id);
    const { rpuHours, period } = props.limit;
    if (!Number.isInteger(rpuHours) || rpuHours < 1) throw new Error(`usageLimit.rpuHours must be a whole number of RPU-hours ≥ 1, got ${rpuHours}`);
    const breachAction = props.limit.breachAction ?? 'deactivate';
    const usageLimitId = cr.PhysicalResourceId.fromResponse('usageLimit.usageLimitId');
    const call = (action: string, parameters: Record<string, unknown>): cr.AwsSdkCall => ({
      service: 'redshift-serverless',
      action,
      parameters,
      physicalResourceId: usageLimitId,
    });
    this.resource = new cr.AwsCustomResource(this, `RpuHours${period}`, {
      resourceType: 'Custom::RedshiftServerlessUsageLimit',
      onCreate: call('CreateUsageLimit', {
        resourceArn: props.workgroupArn,
        usageType: 'serverless-compute',
        amount: rpuHours,
        period,
        breachAction,
      }),
      onUpdate: call('UpdateUsageLimit', { usageLimitId: new cr.PhysicalResourceIdReference(), amount: rpuHours, breachAction }),
      onDelete: {
        service: 'redshift-serverless',
        action: 'DeleteUsageLimit',
        parameters: { usageLimitId: new cr.PhysicalResourceIdReference() },
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          sid: 'ManageTheUsageLimit',
          actions: ['redshift-serverless:CreateUsageLimit', 'redshift-serverless:UpdateUsageLimit', 'redshift-serverless:DeleteUsageLimit'],
          // These three actions have no resource type in IAM (Service Authorization
          // Reference, Amazon Redshift Serverless): they take "*" only.
          resources: ['*'],
        }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      }),
    });
    acknowledgeWildcards(
      this,
      'redshift-serverless:CreateUsageLimit, UpdateUsageLimit and DeleteUsageLimit have no resource-level permissions (Service Authorization ' +
        'Reference, Amazon Redshift Serverless), so they take "*"; the role holds these three actions only and belongs to this custom resource.',
    );
  }
}
