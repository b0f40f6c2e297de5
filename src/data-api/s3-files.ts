import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isReadableSourceKey, type ObjectStore, type StoredObject } from '../compaction/compact-json';
import { readJsonRecords } from '../json/json-records';
import type { ListedFile } from '../manifest/file-decisions';

/**
 * The only Lambda module that talks to Amazon S3 (@aws-sdk/client-s3): list source
 * files, read one to hash and count it, write a run's lists and compacted files (it is
 * the compaction's {@link ObjectStore}). Tests mock the client.
 */

/** What reading a source file gives. */
export interface FileDigest {
  /** SHA-256 of the content, hex. */
  readonly sha256: string;
  /** JSON objects in it, counted as the local loader reads them. */
  readonly records: number;
}

/** The S3 calls of the loads, on the buckets of one region. */
export class S3Files implements ObjectStore {
  constructor(private readonly client: S3Client = new S3Client({ maxAttempts: 6 })) {}

  /**
   * The objects under a prefix the loads read (`.json`, `.jsonl`, each optionally
   * gzip'd), as the local runner lists such files under a folder.
   */
  async listJsonFiles(bucket: string, prefix: string): Promise<ListedFile[]> {
    return (await this.listObjects(bucket, prefix)).filter((object) => isReadableSourceKey(object.key));
  }

  /** Every object under a prefix, in key order. */
  async list(bucket: string, prefix: string): Promise<StoredObject[]> {
    return this.listObjects(bucket, prefix);
  }

  private async listObjects(bucket: string, prefix: string): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    let continuationToken: string | undefined;
    do {
      const output = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }));
      for (const object of output.Contents ?? []) {
        if (!object.Key || object.Size === undefined || !object.LastModified) continue;
        files.push({ key: object.Key, sizeBytes: object.Size, modifiedAt: object.LastModified });
      }
      continuationToken = output.IsTruncated ? output.NextContinuationToken : undefined;
    } while (continuationToken);
    return files;
  }

  /** An object's bytes, as a stream. */
  async read(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>> {
    const output = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!output.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return output.Body as AsyncIterable<Uint8Array>;
  }

  /** Reads an object once, as a stream: its SHA-256 and how many JSON objects it holds (gunzipped, for a `.gz` key). */
  async digest(bucket: string, key: string): Promise<FileDigest> {
    const body = await this.read(bucket, key);
    const hash = createHash('sha256');
    async function* hashing(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
    }
    let records = 0;
    const bytes = Readable.from(hashing(body));
    for await (const record of readJsonRecords(key.endsWith('.gz') ? bytes.pipe(createGunzip()) : bytes)) {
      if ('value' in record) records += 1;
    }
    return { sha256: hash.digest('hex'), records };
  }

  /** Writes an object (a run's file list, a COPY manifest, a compacted file), encrypted at rest. */
  async put(bucket: string, key: string, body: string | Buffer, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ServerSideEncryption: 'AES256' }),
    );
  }
}
