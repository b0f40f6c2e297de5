import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { defaultEnvironment } from '../../lib/sparkify-app';
import type { SparkifyStackProps } from '../../lib/sparkify-stack';
import { resourcesOf, synth, tinySampleDir } from '../helpers/stacks';

/**
 * What AWS requires of the template, rule by rule, each with the page it comes from:
 * a stack can pass every test of what we wrote and still fail on a real account.
 * These synthesize without bundling the functions (nothing here reads the code).
 */

const ACCOUNT = '123456789012';
const noBundling = { 'aws:cdk:bundling-stacks': [] };
/** The Availability Zones a lookup gives for `region`, as cdk.context.json keeps them. */
const zones = (region: string, letters: string) => ({
  [`availability-zones:account=${ACCOUNT}:region=${region}`]: [...letters].map((letter) => `${region}${letter}`),
});
const inRegion = (region: string, letters = 'abc', props: Parameters<typeof synth>[0] = {}) =>
  synth({ ...props, env: { account: ACCOUNT, region } }, { ...noBundling, ...zones(region, letters) });

/**
 * Each variant with every option on that adds resources (a schedule's rule, queue, topic and
 * runs bucket; the sample bucket's deployment; the pause/resume actions; the usage limit; the
 * analysts' bastion and its endpoints),
 * so the whole-template rules below cover what only those variants make.
 */
const everyOption = {
  cluster: { schedule: events.Schedule.rate(Duration.hours(1)), sampleDataDir: tinySampleDir(), activeHours: { from: 7, to: 19 }, notificationEmail: 'data@example.com', analystBastion: true },
  serverless: { serverless: true, schedule: events.Schedule.rate(Duration.hours(1)), sampleDataDir: tinySampleDir(), usageLimit: { rpuHours: 100, period: 'monthly' }, analystBastion: true },
} satisfies Record<string, SparkifyStackProps>;

const agnostic = {
  cluster: synth({}, noBundling),
  serverless: synth({ serverless: true }, noBundling),
  clusterWithEveryOption: synth(everyOption.cluster, noBundling),
  serverlessWithEveryOption: synth(everyOption.serverless, noBundling),
};

describe('the variants the whole-template rules read', () => {
  it('with every option on, make what only those options make', () => {
    const types = (template: Template) => new Set(Object.values(resourcesOf(template)).map((resource) => resource.Type));
    for (const type of ['AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'Custom::CDKBucketDeployment', 'AWS::Redshift::ScheduledAction', 'AWS::EC2::Instance']) {
      expect(types(agnostic.clusterWithEveryOption.template), type).toContain(type);
    }
    expect(types(agnostic.serverlessWithEveryOption.template)).toContain('Custom::RedshiftServerlessUsageLimit');
  });
});


describe('Redshift Serverless: "at least three subnets, and they must span across three Availability Zones" (mgmt guide, serverless-usage-considerations)', () => {
  /** The AZ of each subnet the workgroup is given. */
  function workgroupZones(template: Template): unknown[] {
    const resources = resourcesOf(template);
    const [workgroup] = Object.values(resources).filter((resource) => resource.Type === 'AWS::RedshiftServerless::Workgroup');
    return (workgroup.Properties?.SubnetIds as { Ref: string }[]).map((ref) => resources[ref.Ref].Properties?.AvailabilityZone);
  }

  it('an environment-agnostic stack: three subnets, in AZs 0, 1 and 2 of the region', () => {
    const azs = workgroupZones(agnostic.serverless.template);
    expect(azs).toEqual([0, 1, 2].map((index) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': '' }] })));
  });

  it('a stack with an env: three subnets, in three distinct looked-up AZs', () => {
    const azs = workgroupZones(inRegion('eu-west-1', 'abc', { serverless: true }).template);
    expect(azs).toHaveLength(3);
    expect(new Set(azs).size).toBe(3);
  });

  it('the app deploys where the CDK CLI points it (CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION), environment-agnostic without both', () => {
    expect(defaultEnvironment({ CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: 'eu-west-1' })).toEqual({ account: ACCOUNT, region: 'eu-west-1' });
    expect(defaultEnvironment({ CDK_DEFAULT_REGION: 'eu-west-1' })).toBeUndefined();
    expect(defaultEnvironment({ CDK_DEFAULT_ACCOUNT: ACCOUNT })).toBeUndefined();
    expect(defaultEnvironment({})).toBeUndefined();
  });

  it('fails synth, saying why, where the region offers the account only two', () => {
    expect(() => inRegion('us-west-1', 'bc', { serverless: true })).toThrow(
      /needs subnets in 3 Availability Zones, but us-west-1 offers 2 .*use a provisioned cluster \(serverless=false\)/,
    );
  });

  it('a provisioned cluster keeps two', () => {
    expect(inRegion('us-west-1', 'bc').template.findResources('AWS::EC2::Subnet')).toSatisfy((subnets) => Object.keys(subnets as object).length === 2);
  });
});

describe('a failed or destroyed deploy must not block the next one', () => {
  it('nothing is RETAINed when its own creation rolls back: RetainExceptOnCreate (CloudFormation DeletionPolicy), a snapshot, or delete', () => {
    for (const { template } of Object.values(agnostic)) {
      for (const [id, resource] of Object.entries(resourcesOf(template))) {
        expect([undefined, 'Delete', 'Snapshot', 'RetainExceptOnCreate'], `${id} ${resource.Type}`).toContain(resource.DeletionPolicy);
      }
    }
  });

  it('no physical name is fixed text, and the Serverless names hold a part of the stack id, which a stack created again does not share', () => {
    const nameProperties = ['BucketName', 'RoleName', 'FunctionName', 'LogGroupName', 'TopicName', 'QueueName', 'ClusterIdentifier', 'Name', 'SecretName'];
    for (const { template } of Object.values(agnostic)) {
      for (const [id, resource] of Object.entries(resourcesOf(template))) {
        for (const property of nameProperties.filter((name) => typeof resource.Properties?.[name] === 'string')) {
          throw new Error(`${id} (${resource.Type}) has the fixed ${property} ${resource.Properties?.[property]}`);
        }
      }
    }
    const resources = resourcesOf(agnostic.serverless.template);
    for (const [type, property] of [['AWS::RedshiftServerless::Namespace', 'NamespaceName'], ['AWS::RedshiftServerless::Workgroup', 'WorkgroupName']]) {
      const [resource] = Object.values(resources).filter((candidate) => candidate.Type === type);
      expect(JSON.stringify(resource.Properties?.[property])).toContain('{"Ref":"AWS::StackId"}');
    }
  });

  it('stacks of other names get other Serverless names', () => {
    const name = (stackName: string) => {
      const { stack, template } = synth({ serverless: true, stackName }, noBundling);
      const [namespace] = Object.values(template.findResources('AWS::RedshiftServerless::Namespace'));
      return JSON.stringify(stack.resolve(namespace.Properties.NamespaceName));
    };
    expect(name('First')).not.toBe(name('Second'));
  });
});

describe('the audit-log bucket policy (mgmt guide, db-auditing: bucket permissions)', () => {
  /** The Redshift statements of the audit bucket's policy. */
  function redshiftStatements(template: Template): Record<string, unknown>[] {
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    return (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]).filter((statement) => statement.Effect === 'Allow');
  }

  it('in a Region enabled by default: redshift.amazonaws.com', () => {
    for (const statement of redshiftStatements(inRegion('us-east-1').template)) expect(statement.Principal).toEqual({ Service: 'redshift.amazonaws.com' });
  });

  it('in an opt-in Region: the regional principal redshift.<region>.amazonaws.com', () => {
    for (const statement of redshiftStatements(inRegion('af-south-1').template)) {
      expect(statement.Principal).toEqual({ Service: 'redshift.af-south-1.amazonaws.com' });
    }
  });

  it('environment-agnostic: chosen at deploy time from whether the Region is opt-in', () => {
    const { template } = agnostic.cluster;
    const [conditionId] = Object.keys(template.toJSON().Conditions).filter((id) => id.includes('OptInRegion'));
    expect(JSON.stringify(template.toJSON().Conditions[conditionId])).toContain('Fn::FindInMap');
    for (const statement of redshiftStatements(template)) {
      expect(statement.Principal).toEqual({
        Service: {
          'Fn::If': [conditionId, { 'Fn::Join': ['', ['redshift.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }, 'redshift.amazonaws.com'],
        },
      });
    }
  });

  it('only this account’s clusters in this Region: aws:SourceAccount and aws:SourceArn (the confused deputy)', () => {
    const statements = redshiftStatements(agnostic.cluster.template);
    expect(statements.map((statement) => statement.Action).sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
    for (const statement of statements) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':redshift:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':cluster:*']],
          },
        },
      });
    }
  });
});

describe('the COPY role trust (mgmt guide, serverless-security-other-services)', () => {
  const trust = (template: Template) => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((role) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('redshift'),
    );
    expect(roles).toHaveLength(1);
    return roles[0].Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service;
  };

  it('Serverless: both redshift-serverless.amazonaws.com and redshift.amazonaws.com', () => {
    expect([...trust(agnostic.serverless.template)].sort()).toEqual(['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com']);
  });

  it('a cluster: redshift.amazonaws.com', () => {
    expect(trust(agnostic.cluster.template)).toBe('redshift.amazonaws.com');
  });
});

describe('the load cannot outlive its deploy (CloudFormation custom resource at most one hour; Data API CancelStatement)', () => {
  it('is cancelled two polls before the Provider gives up, and the loader may cancel its statements', () => {
    const { template } = synth({ loadTimeout: undefined }, noBundling);
    const [load] = Object.values(template.findResources('Custom::SparkifyLoad'));
    // Default timeout one hour, polled every 10 s.
    expect(load.Properties.CancelAfterSeconds).toBe(String(3600 - 2 * 10));
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":10');
    expect(definition).toContain(`\\"MaxAttempts\\":${3600 / 10}`);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['redshift-data:CancelStatement']), Resource: '*' })]) },
    });
  });
});

describe('cdk destroy leaves only what the README says it keeps', () => {
  const everyLogGroup = (template: Template) => Object.entries(resourcesOf(template)).filter(([, resource]) => resource.Type === 'AWS::Logs::LogGroup');

  it('every log group has a retention', () => {
    for (const { template } of Object.values(agnostic)) {
      for (const [id, group] of everyLogGroup(template)) expect(group.Properties?.RetentionInDays, id).toBeGreaterThan(0);
    }
  });

  it('every function logs to a log group of the stack, none to one Lambda would make at run time', () => {
    for (const { template } of Object.values(agnostic)) {
      const resources = resourcesOf(template);
      for (const [id, fn] of Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')) {
        const group = fn.Properties?.LoggingConfig?.LogGroup as { Ref?: string } | undefined;
        expect(group?.Ref && resources[group.Ref]?.Type, id).toBe('AWS::Logs::LogGroup');
      }
    }
  });

  it('with destroyOnDelete, every log group, bucket, secret and the warehouse go with the stack', () => {
    for (const props of Object.values(everyOption)) {
      const { template } = synth({ ...props, destroyOnDelete: true }, noBundling);
      for (const [id, resource] of Object.entries(resourcesOf(template))) {
        if (['AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret', 'AWS::Redshift::Cluster', 'AWS::RedshiftServerless::Namespace'].includes(resource.Type)) {
          expect(resource.DeletionPolicy, id).toBe('Delete');
        }
      }
    }
  });
});
