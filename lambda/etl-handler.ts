import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import { DataApi } from './data-api';
import { checkLoad, startLoad, type Logger } from './etl-load';
import type { LoadProperties } from './load-properties';

/**
 * The custom resource's two handlers for the CDK Provider framework: onEvent submits the
 * load; isComplete follows it. Both run as one role, since only the identity that
 * submitted a statement may describe it.
 */

const api = new DataApi();
const log: Logger = (entry) => console.log(JSON.stringify(entry));

/** The physical id of the load: stable, so an Update never makes CloudFormation delete the old one. */
const PHYSICAL_ID = 'sparkify-warehouse-load';

type OnEventResponse = Pick<CloudFormationCustomResourceResponse, 'PhysicalResourceId'> & { Data?: Record<string, string> };

/** Create and Update: start the load. Delete: leave the data alone (the warehouse's removal policy decides). */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    log({ event: 'delete', note: 'the load leaves the data; the warehouse removal policy decides' });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const statementId = await startLoad(api, event.ResourceProperties as unknown as LoadProperties, event.RequestId, log);
  return { PhysicalResourceId: PHYSICAL_ID, Data: { FirstStatementId: statementId } };
}

/** Polled by the Provider until the load finishes (attributes: row counts, seconds) or fails (throws). */
export async function isComplete(
  event: CloudFormationCustomResourceEvent,
): Promise<{ IsComplete: boolean; Data?: Record<string, string> }> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const progress = await checkLoad(api, event.ResourceProperties as unknown as LoadProperties, event.RequestId, log);
  if (!progress.done) return { IsComplete: false };
  log({ event: 'load-finished', ...progress.attributes });
  return { IsComplete: true, Data: progress.attributes };
}
