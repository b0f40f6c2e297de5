import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LOAD_RESULTS } from './etl-loader';
import { SparkifyWarehouse, type SparkifyWarehouseProps } from './sparkify-warehouse';

/** Properties of {@link SparkifyStack}: the stack's own, and the warehouse's. */
export interface SparkifyStackProps extends StackProps, SparkifyWarehouseProps {}

/**
 * The Sparkify warehouse in a stack of its own ({@link SparkifyWarehouse}), with outputs
 * saying where it is and what its load loaded.
 */
export class SparkifyStack extends Stack {
  /** The warehouse and everything it is made of. */
  readonly warehouse: SparkifyWarehouse;

  constructor(scope: Construct, id: string, props: SparkifyStackProps = {}) {
    super(scope, id, props);
    // The id `Default` leaves the construct out of logical ids and generated names: the
    // resources keep the ids and names they had when they were the stack's own children,
    // so an update replaces none of them.
    const sparkify = new SparkifyWarehouse(this, 'Default', props);
    this.warehouse = sparkify;
    const { dataApiTarget: target, scheduledLoad } = sparkify;

    new CfnOutput(this, 'AnalystRoleArn', { value: sparkify.analystRole.roleArn, description: 'Assume it to read the warehouse as the database role analysts' });
    if (sparkify.analystBastion) {
      new CfnOutput(this, 'AnalystBastionInstanceId', {
        value: sparkify.analystBastion.instance.instanceId,
        description: "The analysts' role forwards a local port to the warehouse through it: aws ssm start-session --target <id>",
      });
    }
    if (scheduledLoad) {
      new CfnOutput(this, 'LoadAlarmTopicArn', { value: scheduledLoad.alarmTopic.topicArn, description: 'Subscribe to hear of failed scheduled loads' });
      new CfnOutput(this, 'LoadDeadLetterQueueUrl', { value: scheduledLoad.deadLetterQueue.queueUrl, description: 'Failed scheduled loads, with their errors' });
      new CfnOutput(this, 'ScheduledLoadFunctionName', { value: scheduledLoad.function.functionName });
    }
    new CfnOutput(this, 'Endpoint', { value: sparkify.warehouse.endpointAddress, description: 'Warehouse endpoint address' });
    new CfnOutput(this, 'Port', { value: String(sparkify.warehouse.port) });
    new CfnOutput(this, 'Database', { value: target.database });
    if (target.clusterIdentifier) new CfnOutput(this, 'ClusterIdentifier', { value: target.clusterIdentifier });
    new CfnOutput(this, 'AdminSecretArn', {
      value: target.secretArn,
      description: 'The admin secret the loads authenticate with (its ARN, not its value)',
    });
    if (target.workgroupName) new CfnOutput(this, 'WorkgroupName', { value: target.workgroupName });
    new CfnOutput(this, 'CopyRoleArn', { value: sparkify.copyRole.roleArn });
    new CfnOutput(this, 'SourceUri', { value: `s3://${sparkify.source.bucket}/` });
    for (const result of LOAD_RESULTS) new CfnOutput(this, `Loaded${result}`, { value: sparkify.loaded[result] });
  }
}
