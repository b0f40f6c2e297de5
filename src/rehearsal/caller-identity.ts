import { DataApiError } from './data-api-protocol';
import type { Caller } from './statements';

/** The database user Redshift maps an IAM role to when the Data API is called with the caller's IAM identity. */
export function iamRoleDatabaseUser(roleName: string): string {
  return `IAMR:${roleName}`;
}

/**
 * The caller of a request signed with `accessKeyId`: the IAM role the key stands for.
 * @throws UnrecognizedClientException, as AWS answers a key it does not know
 */
export function callerOf(accessKeyId: string, accessKeys: Readonly<Record<string, string>>): Caller {
  const role = Object.hasOwn(accessKeys, accessKeyId) ? accessKeys[accessKeyId] : undefined;
  if (role === undefined) throw new DataApiError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  return { role, accessKeyId };
}
