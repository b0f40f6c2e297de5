/**
 * The Redshift Data API's wire format, AWS JSON 1.1, as @aws-sdk/client-redshift-data
 * speaks it: a POST whose `X-Amz-Target` header names the operation and whose body is
 * the input as JSON; the answer is JSON with timestamps as epoch seconds, or an error
 * `{"__type": "<name>", "Message": "..."}` that the SDK turns into an exception of that name.
 */

/** The operation prefix of the `X-Amz-Target` header. */
const TARGET_PREFIX = 'RedshiftData.';

/** The Content-Type of every answer. */
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** An error the Data API answers: the SDK names its exception after `type`. */
export class DataApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    /** Members of the error besides its message, e.g. ResourceNotFoundException's ResourceId. */
    readonly members: Readonly<Record<string, unknown>> = {},
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A ValidationException: the input breaks a rule of the API. */
export function validationError(message: string): DataApiError {
  return new DataApiError('ValidationException', message);
}

/** One call as it came over the wire. */
export interface DataApiRequest {
  /** The operation, e.g. `BatchExecuteStatement`. */
  readonly operation: string;
  /** The access key id the request is signed with. */
  readonly accessKeyId: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The headers of a call that the protocol reads. */
export interface DataApiHeaders {
  readonly target?: string;
  readonly authorization?: string;
}

/**
 * Reads a call: its operation, the access key id of its SigV4 signature (the signature
 * itself is not checked) and its input.
 * @throws DataApiError as AWS answers a call it cannot read
 */
export function readRequest(headers: DataApiHeaders, body: string): DataApiRequest {
  const accessKeyId = /\bCredential=([^/\s,]+)\//.exec(headers.authorization ?? '')?.[1];
  if (!accessKeyId) throw new DataApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', {}, 403);
  if (!headers.target?.startsWith(TARGET_PREFIX)) {
    throw new DataApiError('UnknownOperationException', `X-Amz-Target must be ${TARGET_PREFIX}<Operation>, not ${headers.target ?? 'missing'}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(body === '' ? '{}' : body);
  } catch (error) {
    throw new DataApiError('SerializationException', `The body is not JSON: ${(error as Error).message}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new DataApiError('SerializationException', 'The body must be a JSON object');
  }
  return { operation: headers.target.slice(TARGET_PREFIX.length), accessKeyId, input: input as Record<string, unknown> };
}

/** The body of an operation's output: Dates become epoch seconds, undefined members are left out. */
export function encodeOutput(output: object): string {
  return JSON.stringify(output, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

/** The body of an error answer. */
export function encodeError(error: DataApiError): string {
  return JSON.stringify({ __type: error.type, Message: error.message, ...error.members });
}
