import { App, Validations, aws_iam as iam } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SparkifyStack, type SparkifyStackProps } from '../../lib/sparkify-stack';
import { tempDir } from '../helpers/fixtures';
import { synthWithNag, tinySampleDir } from '../helpers/stacks';

// A cluster, and Serverless with a schedule, in a user's own stack: test/infra/construct.test.ts.
describe.each<[string, SparkifyStackProps]>([
  ['sampleData', { sampleDataDir: tinySampleDir() }],
  [
    'scheduled, paused nights and weekends',
    { schedule: Schedule.expression('rate(1 hour)'), notificationEmail: 'data-team@example.com', source: { bucket: 'sparkify-raw', region: 'us-east-1' }, activeHours: { from: 7, to: 19 } },
  ],
  [
    'scheduled Serverless with a usage limit',
    { serverless: true, schedule: Schedule.expression('rate(1 day)'), sampleDataDir: tinySampleDir(), maxCapacity: 64, usageLimit: { rpuHours: 500, period: 'monthly' } },
  ],
])('cdk-nag AwsSolutions on the %s stack', (_name, props) => {
  it('finds nothing that is not acknowledged with a reason', () => {
    expect(synthWithNag(props).findings).toEqual([]);
  });
});

describe('the cdk-nag check', () => {
  it('fails on a finding nobody acknowledged (so the test above can fail)', () => {
    const outdir = tempDir();
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SparkifyStack(app, 'Widened', {});
    new iam.Policy(stack, 'TooWide', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] }).attachToRole(
      new iam.Role(stack, 'Someone', { assumedBy: new iam.AccountRootPrincipal() }),
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });
});
