/**
 * What an AWS call's failure means for the CLIs that talk to a deployed stack
 * (`npm run query`, `npm run e2e`): the root cause first, in the project's words, with
 * what to do, then the SDK's own text. Plain code: no AWS SDK import; errors are
 * recognised by the `name` the SDK gives them.
 */

/** What the command was doing, for the message. */
export interface ErrorContext {
  /** The stack the command reads. */
  readonly stackName: string;
  /** The region it looked in, if one was set. */
  readonly region?: string;
  /** The role it assumes, once the stack named one (the analysts' role for `npm run query`). */
  readonly roleArn?: string;
}

/** The names the AWS SDK gives a failure to find or use credentials. */
const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException']);
/** The names of an IAM refusal. */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AccessDeniedFault']);

/** The message for `error`: our reading of its cause, then `(AWS said: <name>: <message>)`. */
export function explainAwsError(error: unknown, context: ErrorContext): string {
  const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  const where = context.region ? ` in ${context.region}` : '';
  const cause = rootCause(name, message, context, where);
  return cause ? `${cause} (AWS said: ${name}: ${message})` : message;
}

function rootCause(name: string, message: string, context: ErrorContext, where: string): string | undefined {
  if (NO_CREDENTIALS.has(name) || /Could not load credentials/i.test(message)) {
    return 'No usable AWS credentials: configure them (aws configure, AWS_PROFILE or aws sso login) and try again.';
  }
  if (/Region is missing/i.test(message)) return 'No region: pass --region REGION or set AWS_REGION.';
  if (name === 'ValidationError' && /does not exist/.test(message)) {
    return `Stack ${context.stackName} was not found${where}: deploy it first, or name the stack and region it is in (--stack, --region).`;
  }
  if (ACCESS_DENIED.has(name)) {
    return context.roleArn
      ? `Access denied to the analysts' role ${context.roleArn}: your identity may not assume it. Ask for sts:AssumeRole on it, or for your ARN in the stack's analystPrincipals.`
      : `Access denied reading stack ${context.stackName}${where}: your identity needs cloudformation:DescribeStacks on it.`;
  }
  return undefined;
}
