import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CopyRole } from '../../lib/copy-role';
import { Network } from '../../lib/network';
import { PauseResumeSchedule } from '../../lib/pause-resume';
import { ServerlessUsageLimit } from '../../lib/serverless-usage-limit';
import { cdkJsonContext } from '../../lib/sparkify-app';
import { SparkifyWarehouse } from '../../lib/sparkify-warehouse';
import { resolveSource } from '../../lib/source';
import { Warehouse } from '../../lib/warehouse';

// The template is all these tests read: nothing is bundled.
const bare = () => new Stack(new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } }), 'Bare');

/** A Serverless workgroup on a bare stack, with these capacities. */
function workgroup(capacity: { baseCapacity?: number; maxCapacity?: number }) {
  const stack = bare();
  const network = new Network(stack, 'Net', { availabilityZones: 3 });
  const copy = new CopyRole(stack, 'Copy', { source: resolveSource(), serverless: true });
  const warehouse = new Warehouse(stack, 'Wh', { vpc: network.vpc, subnets: network.subnets, copyRole: copy.role, serverless: true, ...capacity });
  return { stack, warehouse, template: Template.fromStack(stack) };
}

describe('Serverless capacity', () => {
  it('caps the workgroup at four times its base by default, and at what it is given', () => {
    workgroup({}).template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', { BaseCapacity: 8, MaxCapacity: 32 });
    workgroup({ baseCapacity: 32 }).template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', { BaseCapacity: 32, MaxCapacity: 128 });
    workgroup({ baseCapacity: 16, maxCapacity: 24 }).template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', { BaseCapacity: 16, MaxCapacity: 24 });
  });

  it('refuses a ceiling below the base or off the steps of 8 RPUs', () => {
    expect(() => workgroup({ baseCapacity: 64, maxCapacity: 32 })).toThrow('maxCapacity (32 RPUs) must be at least baseCapacity (64 RPUs)');
    expect(() => workgroup({ maxCapacity: 36 })).toThrow('maxCapacity must be a multiple of 8 RPUs, got 36');
  });
});

describe('ServerlessUsageLimit', () => {
  const stack = bare();
  const workgroupArn = 'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0f1e2d3c-aaaa-bbbb-cccc-123456789012';
  new ServerlessUsageLimit(stack, 'Limit', { workgroupArn, limit: { rpuHours: 200, period: 'weekly' } });
  const template = Template.fromStack(stack);
  const [resource] = Object.values(template.findResources('Custom::RedshiftServerlessUsageLimit'));
  const call = (name: 'Create' | 'Update' | 'Delete') => JSON.parse(stack.resolve(resource.Properties[name]) as string) as Record<string, unknown>;

  it('creates an RPU-hour limit on the workgroup, turning queries off when it is reached, and keeps its id', () => {
    expect(call('Create')).toEqual({
      service: 'redshift-serverless',
      action: 'CreateUsageLimit',
      parameters: { resourceArn: workgroupArn, usageType: 'serverless-compute', amount: 200, period: 'weekly', breachAction: 'deactivate' },
      physicalResourceId: { responsePath: 'usageLimit.usageLimitId' },
    });
  });

  it('updates the amount and action of that limit in place, and deletes it with the stack', () => {
    expect(call('Update')).toMatchObject({
      action: 'UpdateUsageLimit',
      parameters: { usageLimitId: 'PHYSICAL:RESOURCEID:', amount: 200, breachAction: 'deactivate' },
    });
    expect(call('Delete')).toMatchObject({ action: 'DeleteUsageLimit', parameters: { usageLimitId: 'PHYSICAL:RESOURCEID:' } });
  });

  it('a new period replaces the limit (the API cannot change one): the period is in its logical id', () => {
    const other = bare();
    new ServerlessUsageLimit(other, 'Limit', { workgroupArn, limit: { rpuHours: 200, period: 'daily' } });
    const ids = (s: Stack) => Object.keys(Template.fromStack(s).findResources('Custom::RedshiftServerlessUsageLimit'));
    expect(ids(other)).toHaveLength(1);
    expect(ids(other)[0]).not.toBe(ids(stack)[0]);
  });

  it('may manage usage limits and nothing else', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'ManageTheUsageLimit',
        Effect: 'Allow',
        Action: ['redshift-serverless:CreateUsageLimit', 'redshift-serverless:DeleteUsageLimit', 'redshift-serverless:UpdateUsageLimit'],
        Resource: '*',
      },
    ]);
  });

  it('refuses a limit of no RPU-hours', () => {
    expect(() => new ServerlessUsageLimit(bare(), 'Limit', { workgroupArn, limit: { rpuHours: 0, period: 'daily' } })).toThrow(/rpuHours/);
  });
});

describe('PauseResumeSchedule', () => {
  const stack = bare();
  const clusterArn = 'arn:aws:redshift:us-east-1:123456789012:cluster:sparkify';
  const schedule = new PauseResumeSchedule(stack, 'Schedule', { clusterIdentifier: 'sparkify', clusterArn, activeHours: { from: 7, to: 19 } });
  const template = Template.fromStack(stack);

  it('pauses the cluster at the end of the active hours and resumes it at their start, on weekdays by default', () => {
    template.resourceCountIs('AWS::Redshift::ScheduledAction', 2);
    const role = stack.resolve(schedule.role.roleArn);
    template.hasResourceProperties('AWS::Redshift::ScheduledAction', {
      Schedule: 'cron(0 19 ? * MON-FRI *)',
      IamRole: role,
      Enable: true,
      TargetAction: { PauseCluster: { ClusterIdentifier: 'sparkify' } },
    });
    template.hasResourceProperties('AWS::Redshift::ScheduledAction', {
      Schedule: 'cron(0 7 ? * MON-FRI *)',
      IamRole: role,
      TargetAction: { ResumeCluster: { ClusterIdentifier: 'sparkify' } },
    });
  });

  it('runs as a role only the Redshift scheduler assumes, which may pause and resume that cluster only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.redshift.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Sid: 'PauseAndResumeTheCluster', Effect: 'Allow', Action: ['redshift:PauseCluster', 'redshift:ResumeCluster'], Resource: clusterArn }] },
    });
  });

  it('every day when asked, and refuses hours it cannot schedule', () => {
    const daily = bare();
    new PauseResumeSchedule(daily, 'Schedule', { clusterIdentifier: 'c', clusterArn, activeHours: { from: 0, to: 23, days: 'every-day' } });
    Template.fromStack(daily).hasResourceProperties('AWS::Redshift::ScheduledAction', { Schedule: 'cron(0 23 ? * * *)' });
    expect(() => new PauseResumeSchedule(bare(), 'S', { clusterIdentifier: 'c', clusterArn, activeHours: { from: 19, to: 7 } })).toThrow(/first before the second/);
  });
});

describe('SparkifyWarehouse: the cost controls are wired when asked for, and absent when not', () => {
  const stack = bare();
  const paused = new SparkifyWarehouse(stack, 'Paused', { activeHours: { from: 8, to: 18 } });
  new SparkifyWarehouse(stack, 'AlwaysOn');
  const limited = new SparkifyWarehouse(stack, 'Limited', { serverless: true, usageLimit: { rpuHours: 100, period: 'daily', breachAction: 'emit-metric' } });
  new SparkifyWarehouse(stack, 'Unlimited', { serverless: true });
  const template = Template.fromStack(stack);

  it('pauses only the cluster with active hours', () => {
    const actions = Object.values(template.findResources('AWS::Redshift::ScheduledAction'));
    expect(actions).toHaveLength(2);
    const cluster = stack.resolve(paused.dataApiTarget.clusterIdentifier);
    for (const action of actions) expect(JSON.stringify(action.Properties.TargetAction)).toContain(JSON.stringify(cluster));
  });

  it('limits only the workgroup with a usage limit, by its ARN', () => {
    const limits = Object.values(template.findResources('Custom::RedshiftServerlessUsageLimit'));
    expect(limits).toHaveLength(1);
    const create = JSON.stringify(stack.resolve(limits[0].Properties.Create));
    expect(create).toContain(JSON.stringify(stack.resolve(limited.warehouse.workgroupArn)).slice(1, -1));
    expect(create).toContain('emit-metric');
  });

  it('refuses each control on the kind of warehouse it does not apply to', () => {
    expect(() => new SparkifyWarehouse(bare(), 'W', { serverless: true, activeHours: { from: 8, to: 18 } })).toThrow(/activeHours pauses a provisioned cluster/);
    expect(() => new SparkifyWarehouse(bare(), 'W', { usageLimit: { rpuHours: 1, period: 'daily' } })).toThrow(/for Serverless/);
    expect(() => new SparkifyWarehouse(bare(), 'W', { maxCapacity: 64 })).toThrow(/for Serverless/);
  });
});
