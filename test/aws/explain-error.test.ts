import { CloudFormationServiceException } from '@aws-sdk/client-cloudformation';
import { ValidationException } from '@aws-sdk/client-redshift-data';
import { STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../src/aws/explain-error';

const context = { stackName: 'SparkifyWarehouse', region: 'us-west-2' };

describe('explainAwsError', () => {
  it('puts a missing stack first, named with its region, and the SDK text after', () => {
    const error = new CloudFormationServiceException({
      name: 'ValidationError',
      $fault: 'client',
      $metadata: {},
      message: 'Stack with id SparkifyWarehouse does not exist',
    });
    expect(explainAwsError(error, context)).toBe(
      'Stack SparkifyWarehouse was not found in us-west-2: deploy it first, or name the stack and region it is in (--stack, --region). ' +
        '(AWS said: ValidationError: Stack with id SparkifyWarehouse does not exist)',
    );
  });

  it("says the analysts' role may not be assumed, naming it", () => {
    const error = new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'User: arn:aws:iam::1:user/bob is not authorized to perform: sts:AssumeRole' });
    const roleArn = 'arn:aws:iam::123456789012:role/Analysts';
    expect(explainAwsError(error, { ...context, roleArn })).toMatch(/^Access denied to the analysts' role arn:aws:iam::123456789012:role\/Analysts: .* \(AWS said: AccessDenied: User: /);
  });

  it('names missing credentials as such', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(explainAwsError(error, context)).toMatch(/^No usable AWS credentials: configure them .* \(AWS said: CredentialsProviderError: Could not load credentials/);
  });

  it('leaves a message it has no reading of as it is, e.g. a statement that failed in Redshift', () => {
    expect(explainAwsError(new Error('The query failed: relation "songplays" does not exist'), context)).toBe('The query failed: relation "songplays" does not exist');
    const invalid = new ValidationException({ $metadata: {}, message: 'Workgroup is not available' });
    expect(explainAwsError(invalid, context)).toBe('Workgroup is not available');
  });
});
