import type { Context } from 'aws-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import * as path from 'node:path';
import { readScheduledSql } from '../src/sql/scheduled-plan';
import { DataApi } from '../src/data-api/client';
import { clusterStatusReader } from '../src/data-api/cluster-status';
import type { Logger } from '../src/data-api/deploy-load';
import { S3Files } from '../src/data-api/s3-files';
import { checkSourceRegion, parseScheduledLoadConfig, SCHEDULED_LOAD_CONFIG_VARIABLE } from '../src/data-api/scheduled-config';
import { runScheduledLoad, type ScheduledLoadOutcome } from '../src/data-api/scheduled-load';

/**
 * The scheduled load's handler, invoked by an EventBridge rule. The bundle carries
 * sql/ beside it (lib/loader-function.ts copies it), so the statements are built from
 * the same files as every other load.
 */

const config = parseScheduledLoadConfig(process.env[SCHEDULED_LOAD_CONFIG_VARIABLE]);
const sql = readScheduledSql(path.join(__dirname, 'sql'));
const dataApi = new DataApi();
const s3 = new S3Files(new S3Client({ region: config.source.region, maxAttempts: 6 }));
// The cluster is the stack's, in the function's region; a Serverless target never calls it.
const clusterStatus = clusterStatusReader();
const log: Logger = (entry) => console.log(JSON.stringify(entry));

/** Loads the files that arrived since the last load; throws (to the dead-letter queue) when it fails. */
export async function handler(_event: unknown, context: Context): Promise<ScheduledLoadOutcome> {
  checkSourceRegion(config, process.env.AWS_REGION);
  return runScheduledLoad(
    { dataApi, s3, sql, log, clusterStatus, runId: context.awsRequestId, remainingMs: () => context.getRemainingTimeInMillis() },
    config,
  );
}
