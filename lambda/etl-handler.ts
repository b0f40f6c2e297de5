import type {
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceResponse,
} from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { compactDeploySources } from '../src/compaction/deploy-compaction';
import { DataApi } from '../src/data-api/client';
import { cancelRunningLoads, checkLoad, startLoad, type Logger } from '../src/data-api/deploy-load';
import type { LoadProperties } from '../src/data-api/load-properties';
import { S3Files } from '../src/data-api/s3-files';

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

/** S3 in a region: the source bucket's for reading the song and event files, the stack's for the staging bucket. */
const s3In = (region: string | undefined) => new S3Files(new S3Client({ region, maxAttempts: 6 }));

/**
 * Create and Update: compact the song and event files into the staging bucket, then start the load. Delete: cancel a load still running, and leave the
 * data alone (the warehouse's removal policy decides).
 */
export async function onEvent(event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    await cancelRunningLoads(api, log);
    log({ event: 'delete', note: 'the load leaves the data; the warehouse removal policy decides' });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const startedAtMs = Date.now();
  const properties = event.ResourceProperties as unknown as LoadProperties;
  const compaction = properties.Compaction;
  const compacted = await compactDeploySources(s3In(compaction.SourceRegion), s3In(process.env.AWS_REGION), compaction, event.RequestId);
  for (const [kind, result] of [['songs', compacted.songs], ['events', compacted.events]] as const) {
    log({
      event: `${kind}-compacted`,
      manifest: result.manifestUri,
      files: result.parts.map(({ key, sourceFiles, records, gzipBytes }) => ({ key, sourceFiles, records, gzipBytes })),
      leftOutRecords: result.leftOut,
      notRead: result.unread.slice(0, 20),
      notReadCount: result.unread.length,
    });
  }
  const statementId = await startLoad(api, properties, event.RequestId, log);
  return { PhysicalResourceId: PHYSICAL_ID, Data: { FirstStatementId: statementId, StartedAtMs: String(startedAtMs) } };
}

/** Polled by the Provider until the load finishes (attributes: row counts, seconds) or fails (throws). */
export async function isComplete(
  event: CloudFormationCustomResourceEvent,
): Promise<{ IsComplete: boolean; Data?: Record<string, string> }> {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  // The Provider framework hands isComplete the onEvent response's Data.
  const { StartedAtMs } = (event as { Data?: { StartedAtMs?: string } }).Data ?? {};
  if (!StartedAtMs) throw new Error('isComplete needs the StartedAtMs that onEvent returns; was the function deployed with its onEvent?');
  const clock = { startedAtMs: Number(StartedAtMs), nowMs: Date.now() };
  const progress = await checkLoad(api, event.ResourceProperties as unknown as LoadProperties, event.RequestId, log, clock);
  if (!progress.done) return { IsComplete: false };
  log({ event: 'load-finished', ...progress.attributes });
  return { IsComplete: true, Data: progress.attributes };
}
