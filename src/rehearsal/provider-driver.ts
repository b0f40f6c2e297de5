import { randomUUID } from 'node:crypto';
import type { LambdaError, LambdaFleet } from './lambda-runtime';
import type { LoadResourcePlan } from './stack-plan';

/**
 * Drives a custom resource's user functions as CloudFormation and the CDK Provider
 * framework do, reproducing aws-cdk-lib/custom-resources/lib/provider-framework:
 *
 * - runtime/framework.js `onEvent`: invoke the user onEvent with the request; a
 *   function error fails the request with `<errorMessage>\n\nLogs: /aws/lambda/<name>\n`
 *   and the function's trace (the framework reports `e.stack`); merge the result into the
 *   request (`createResponseEvent`: PhysicalResourceId from the result, else the
 *   RequestId on Create, and never a new one on Delete); without an isComplete function
 *   answer SUCCESS at once, else start the waiter with that event.
 * - waiter-state-machine.js: the isComplete task runs at once, and again after each
 *   Retry (IntervalSeconds, times BackoffRate after each, MaxAttempts retries); when the
 *   retries run out the Catch runs onTimeout, which fails the request with
 *   "Operation timed out". The rehearsal does not sleep through the intervals: they pass
 *   on the simulated clock the functions read, in real time only while the warehouse
 *   still works (see lambda-runtime.ts).
 * - runtime/framework.js `isComplete`: a function error fails the request (it is not
 *   retried); `IsComplete: false` with Data fails it; `IsComplete: false` asks for a
 *   retry; `IsComplete: true` answers SUCCESS with `{...event, ...result, Data: {...event.Data, ...result.Data}}`.
 * - runtime/cfn-response.js `safeHandler`: a Delete of a resource whose Create failed
 *   (the CREATE_FAILED marker as physical id) is answered SUCCESS without calling the
 *   user functions; a Create that fails before having a physical id is given the marker.
 *
 * And of CloudFormation itself: ResourceProperties as the template gives them (scalars
 * as strings), a request fails when no answer came within the resource's ServiceTimeout,
 * and an answer whose body is over 4096 bytes fails it ("Response object is too long").
 */

/** What CloudFormation asks of the resource. */
export interface CustomResourceRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly properties: Readonly<Record<string, unknown>>;
  /** Update: the properties before. */
  readonly oldProperties?: Readonly<Record<string, unknown>>;
  /** Update and Delete: the resource's physical id. */
  readonly physicalResourceId?: string;
}

/** How a request ended: what the framework answered CloudFormation, and how it got there. */
export interface ProviderResponse {
  readonly status: 'SUCCESS' | 'FAILED';
  /** The Reason the framework sends (for a failure: what the stack event shows). */
  readonly reason: string;
  /** The user function's error, when one failed the request. */
  readonly functionError?: LambdaError & { readonly functionName: string };
  readonly physicalResourceId: string;
  /** The resource's attributes (Fn::GetAtt), on success. */
  readonly data: Readonly<Record<string, string>>;
  /** isComplete invocations. */
  readonly polls: number;
  /** Time the request took on the simulated clock, and in real time. */
  readonly simulatedSeconds: number;
  readonly realMs: number;
  readonly requestId: string;
}

/** The physical id the framework answers with when a Create failed before having one (cfn-response.js). */
export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';
/** CloudFormation's limit on a custom resource's response body. */
const MAX_RESPONSE_BYTES = 4096;

/** An error the framework turns into a FAILED response, with the reason it sends. */
class FrameworkFailure extends Error {
  constructor(
    readonly reason: string,
    readonly functionError?: LambdaError & { functionName: string },
  ) {
    super(reason);
  }
}

type ResourceEvent = Record<string, unknown> & { RequestType: string; PhysicalResourceId?: string; Data?: Record<string, string> };

/** Runs the requests of one custom resource. */
export class ProviderDriver {
  constructor(
    private readonly plan: LoadResourcePlan,
    private readonly fleet: LambdaFleet,
    private readonly stack: { readonly stackId: string; readonly region: string },
  ) {}

  /** Sends one request as CloudFormation would and follows it to its answer. */
  async request(request: CustomResourceRequest): Promise<ProviderResponse> {
    const clock = this.fleet.clock;
    const requestId = randomUUID();
    const startedReal = Date.now();
    const startedSimulated = clock.now();
    const cfnDeadline = startedSimulated + this.plan.serviceTimeoutSeconds * 1000;
    const cfnRequest: ResourceEvent = {
      RequestType: request.requestType,
      ServiceToken: this.plan.properties.ServiceToken,
      ResponseURL: `https://cloudformation-custom-resource-response-${this.stack.region.replace(/-/g, '')}.s3.amazonaws.com/rehearsal`,
      StackId: this.stack.stackId,
      RequestId: requestId,
      LogicalResourceId: this.plan.logicalId,
      ResourceType: this.plan.resourceType,
      ...(request.physicalResourceId === undefined ? {} : { PhysicalResourceId: request.physicalResourceId }),
      ResourceProperties: request.properties,
      ...(request.oldProperties === undefined ? {} : { OldResourceProperties: request.oldProperties }),
    };
    let polls = 0;
    const answer = (status: 'SUCCESS' | 'FAILED', event: ResourceEvent, reason: string, functionError?: FrameworkFailure['functionError']): ProviderResponse => {
      const body = {
        Status: status,
        Reason: reason,
        StackId: event.StackId,
        RequestId: event.RequestId,
        PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
        LogicalResourceId: event.LogicalResourceId,
        Data: event.Data,
      };
      const tooLong = status === 'SUCCESS' && Buffer.byteLength(JSON.stringify(body)) > MAX_RESPONSE_BYTES;
      return {
        status: tooLong ? 'FAILED' : status,
        reason: tooLong ? `Response object is too long (${Buffer.byteLength(JSON.stringify(body))} bytes; CloudFormation takes ${MAX_RESPONSE_BYTES})` : reason,
        functionError,
        physicalResourceId: body.PhysicalResourceId,
        data: status === 'SUCCESS' && !tooLong ? { ...(event.Data ?? {}) } : {},
        polls,
        simulatedSeconds: (clock.now() - startedSimulated) / 1000,
        realMs: Date.now() - startedReal,
        requestId,
      };
    };

    // cfn-response.js safeHandler: the Delete that follows a failed Create is answered at once.
    if (request.requestType === 'Delete' && request.physicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
      return answer('SUCCESS', cfnRequest, 'SUCCESS');
    }
    let resourceEvent: ResourceEvent = cfnRequest;
    try {
      const onEventResult = (await this.invokeUser(this.plan.onEvent, cfnRequest)) as Record<string, unknown> | null;
      resourceEvent = createResponseEvent(cfnRequest, onEventResult);
      if (!this.plan.isComplete || !this.plan.waiter) return answer('SUCCESS', resourceEvent, 'SUCCESS');

      // The waiter state machine: the task at once, then a retry after each interval.
      const { intervalSeconds, maxAttempts, backoffRate, maxDelaySeconds } = this.plan.waiter;
      let retries = 0;
      let delaySeconds = intervalSeconds;
      for (;;) {
        if (clock.now() > cfnDeadline) {
          return answer(
            'FAILED',
            resourceEvent,
            `CloudFormation received no response within the resource's ServiceTimeout (${this.plan.serviceTimeoutSeconds} s) and failed it`,
          );
        }
        polls += 1;
        const outcome = await this.frameworkIsComplete(resourceEvent);
        if (outcome !== 'retry') return answer('SUCCESS', outcome, 'SUCCESS');
        if (retries >= maxAttempts) return answer('FAILED', resourceEvent, 'Operation timed out');
        await clock.pass(delaySeconds * 1000);
        retries += 1;
        delaySeconds = Math.min(delaySeconds * backoffRate, maxDelaySeconds ?? Number.POSITIVE_INFINITY);
      }
    } catch (error) {
      const failure = error instanceof FrameworkFailure ? error : new FrameworkFailure(`Error: ${(error as Error).message}`);
      const event = { ...resourceEvent };
      if (!event.PhysicalResourceId && request.requestType === 'Create') event.PhysicalResourceId = CREATE_FAILED_PHYSICAL_ID_MARKER;
      return answer('FAILED', event, failure.reason, failure.functionError);
    }
  }

  /** framework.js isComplete: the user isComplete once; 'retry' when not complete yet, else the SUCCESS event. */
  private async frameworkIsComplete(event: ResourceEvent): Promise<ResourceEvent | 'retry'> {
    const result = (await this.invokeUser(this.plan.isComplete!, event)) as Record<string, unknown> | null;
    if (result === null || typeof result !== 'object') {
      throw new FrameworkFailure(`TypeError: Cannot read properties of ${String(result)} (reading 'IsComplete')`);
    }
    const data = result.Data as Record<string, string> | undefined;
    if (!result.IsComplete) {
      if (data && Object.keys(data).length > 0) throw new FrameworkFailure('Error: "Data" is not allowed if "IsComplete" is "False"');
      return 'retry';
    }
    return { ...event, ...result, Data: { ...(event.Data ?? {}), ...(data ?? {}) } } as ResourceEvent;
  }

  /** framework.js invokeUserFunction: a function error becomes the failure CloudFormation shows. */
  private async invokeUser(spec: LoadResourcePlan['onEvent'], payload: ResourceEvent): Promise<unknown> {
    const invocation = await this.fleet.sandbox(spec).invoke(payload);
    if (invocation.ok) return invocation.result;
    const { error } = invocation;
    const message = [error.errorMessage || 'error', '', `Logs: /aws/lambda/${spec.functionName}`, ''].join('\n');
    const stack = error.trace && error.trace.length > 0 ? [message, ...error.trace.slice(1)].join('\n') : `Error: ${message}`;
    throw new FrameworkFailure(stack, { ...error, functionName: spec.functionName });
  }
}

/** framework.js createResponseEvent. */
function createResponseEvent(request: ResourceEvent, onEventResult: Record<string, unknown> | null): ResourceEvent {
  const result = onEventResult ?? {};
  const physicalResourceId = (result.PhysicalResourceId as string | undefined) || defaultPhysicalResourceId(request);
  if (request.RequestType === 'Delete' && physicalResourceId !== request.PhysicalResourceId) {
    throw new FrameworkFailure(
      `Error: DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${String(result.PhysicalResourceId)}" during deletion`,
    );
  }
  return { ...request, ...result, PhysicalResourceId: physicalResourceId } as ResourceEvent;
}

function defaultPhysicalResourceId(request: ResourceEvent): string {
  switch (request.RequestType) {
    case 'Create':
      return String(request.RequestId);
    case 'Update':
    case 'Delete':
      return String(request.PhysicalResourceId);
    default:
      throw new FrameworkFailure(`Error: Invalid "RequestType" in request "${JSON.stringify(request)}"`);
  }
}
