import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * A small local stand-in for Amazon S3, for the rehearsal's scheduled loader: the four
 * calls src/data-api/s3-files.ts makes through @aws-sdk/client-s3 (ListObjectsV2, HeadObject,
 * GetObject, PutObject) over plain local folders, one per bucket, whose files are the
 * objects (key = path under the folder). The SDK reaches it through AWS_ENDPOINT_URL_S3;
 * for an endpoint that is an IP address the SDK addresses buckets path-style
 * (`/<bucket>/<key>`), which is all this server understands.
 *
 * Objects are plain files, so the Data API stand-in's COPY reads exactly what the loader
 * wrote (its manifests) and listed. An object's LastModified is its file's mtime: the
 * rehearsal stamps the files it adds, and PutObject stamps what it writes, with the
 * simulated clock. ETags are not MD5s of the content (nothing here checks them).
 */

/** Options of {@link startS3StandIn}. */
export interface S3StandInOptions {
  /** The folder standing for a bucket, or undefined for a bucket that does not exist. */
  readonly bucketFolder: (bucket: string) => string | undefined;
  /** Access key id → the IAM role name of the caller that signs with it, for the call log. */
  readonly accessKeys?: Readonly<Record<string, string>>;
  /** The time PutObject stamps on what it writes, epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** One call the stand-in answered. */
export interface S3Call {
  readonly operation: 'ListObjectsV2' | 'HeadObject' | 'GetObject' | 'PutObject' | 'Unsupported';
  readonly caller: string;
  readonly bucket: string;
  readonly key?: string;
  /** The error code it answered, if any. */
  readonly error?: string;
}

/** A running S3 stand-in. */
export interface S3StandIn {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly calls: readonly S3Call[];
  close(): Promise<void>;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/** The keys under a bucket folder, in S3's order (UTF-8 bytes). */
function listKeys(folder: string): string[] {
  const keys: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.rehearsal-upload-')) continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) keys.push(`${prefix}${entry.name}`);
    }
  };
  if (existsSync(folder)) walk(folder, '');
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The file of a key, refusing keys that would leave the bucket's folder. */
function fileOf(folder: string, key: string): string {
  const segments = key.split('/');
  if (key === '' || key.startsWith('/') || segments.some((segment) => segment === '..' || segment === '.')) {
    throw new S3Error(400, 'InvalidArgument', `The rehearsal's S3 stand-in refuses the key ${JSON.stringify(key)}`);
  }
  return path.join(folder, ...segments);
}

function etagOf(size: number, mtimeMs: number, key: string): string {
  return `"${createHash('md5').update(`${key}\n${size}\n${mtimeMs}`).digest('hex')}"`;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The payload of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>`). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new S3Error(400, 'IncompleteBody', 'An aws-chunked body ended inside a chunk header');
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size)) throw new S3Error(400, 'IncompleteBody', 'An aws-chunked body has a bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** Starts the S3 stand-in on a free port of 127.0.0.1. */
export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const calls: S3Call[] = [];
  const now = options.now ?? Date.now;

  const callerOf = (request: IncomingMessage) => {
    const key = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
    return (key && options.accessKeys?.[key]) ?? `unknown (${key ?? 'unsigned'})`;
  };

  async function handle(request: IncomingMessage, response: ServerResponse, call: { operation: S3Call['operation']; bucket: string; key?: string }) {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    call.bucket = decodeURIComponent(bucket);
    const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
    const folder = call.bucket ? options.bucketFolder(call.bucket) : undefined;
    if (!folder) throw new S3Error(404, 'NoSuchBucket', `The specified bucket does not exist: ${call.bucket}`);
    const headers = { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': 'rehearsal' };

    if (request.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      call.operation = 'ListObjectsV2';
      const prefix = url.searchParams.get('prefix') ?? '';
      const delimiter = url.searchParams.get('delimiter') ?? '';
      const maxKeys = Math.min(Number(url.searchParams.get('max-keys') ?? 1000), 1000);
      const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
      const contents: string[] = [];
      const commonPrefixes = new Set<string>();
      let truncated = false;
      let last = '';
      for (const candidate of listKeys(folder)) {
        if (!candidate.startsWith(prefix) || (after && Buffer.compare(Buffer.from(candidate), Buffer.from(after)) <= 0)) continue;
        if (contents.length + commonPrefixes.size >= maxKeys) {
          truncated = true;
          break;
        }
        const rest = candidate.slice(prefix.length);
        if (delimiter && rest.includes(delimiter)) {
          commonPrefixes.add(prefix + rest.slice(0, rest.indexOf(delimiter) + delimiter.length));
        } else {
          const stat = statSync(fileOf(folder, candidate));
          contents.push(
            `<Contents><Key>${escapeXml(candidate)}</Key><LastModified>${stat.mtime.toISOString()}</LastModified>` +
              `<ETag>${escapeXml(etagOf(stat.size, stat.mtimeMs, candidate))}</ETag><Size>${stat.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          );
        }
        last = candidate;
      }
      const xml =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${escapeXml(call.bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${contents.length + commonPrefixes.size}</KeyCount>` +
        `<MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : ''}<IsTruncated>${truncated}</IsTruncated>` +
        contents.join('') +
        [...commonPrefixes].map((common) => `<CommonPrefixes><Prefix>${escapeXml(common)}</Prefix></CommonPrefixes>`).join('') +
        (truncated ? `<NextContinuationToken>${escapeXml(last)}</NextContinuationToken>` : '') +
        '</ListBucketResult>';
      response.writeHead(200, { ...headers, 'content-type': 'application/xml' });
      response.end(xml);
      return;
    }

    if (key === '') throw new S3Error(501, 'NotImplemented', `The rehearsal's S3 stand-in does not answer ${request.method} ${url.pathname}${url.search}`);
    call.key = key;
    const file = fileOf(folder, key);

    if (request.method === 'PUT') {
      call.operation = 'PutObject';
      if (request.headers['x-amz-copy-source']) throw new S3Error(501, 'NotImplemented', 'CopyObject is not part of the stand-in');
      const raw = await readBody(request);
      const chunked = String(request.headers['content-encoding'] ?? '').includes('aws-chunked') || String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
      const body = chunked ? decodeAwsChunked(raw) : raw;
      mkdirSync(path.dirname(file), { recursive: true });
      const temporary = path.join(path.dirname(file), `.rehearsal-upload-${randomUUID()}`);
      writeFileSync(temporary, body);
      const stamp = new Date(now());
      utimesSync(temporary, stamp, stamp);
      renameSync(temporary, file);
      response.writeHead(200, { ...headers, etag: etagOf(body.length, stamp.getTime(), key), 'x-amz-server-side-encryption': 'AES256' });
      response.end();
      return;
    }

    if (request.method === 'GET' || request.method === 'HEAD') {
      call.operation = request.method === 'GET' ? 'GetObject' : 'HeadObject';
      const stat = existsSync(file) ? statSync(file) : undefined;
      if (!stat?.isFile()) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
      response.writeHead(200, {
        ...headers,
        'content-length': String(stat.size),
        'content-type': key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'last-modified': stat.mtime.toUTCString(),
        etag: etagOf(stat.size, stat.mtimeMs, key),
        'accept-ranges': 'bytes',
        'x-amz-server-side-encryption': 'AES256',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
      return;
    }
    throw new S3Error(501, 'NotImplemented', `The rehearsal's S3 stand-in does not answer ${request.method}`);
  }

  const server = createServer((request, response) => {
    const call: { operation: S3Call['operation']; bucket: string; key?: string } = { operation: 'Unsupported', bucket: '' };
    const caller = callerOf(request);
    handle(request, response, call).then(
      () => calls.push({ ...call, caller }),
      (error: unknown) => {
        const s3Error = error instanceof S3Error ? error : new S3Error(500, 'InternalError', (error as Error).message);
        calls.push({ ...call, caller, error: s3Error.code });
        // Drain what the client sent before answering, so it is not cut off mid-upload.
        request.resume();
        if (request.method === 'HEAD') {
          response.writeHead(s3Error.status, { 'x-amz-request-id': randomUUID() });
          response.end();
          return;
        }
        response.writeHead(s3Error.status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() });
        response.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${s3Error.code}</Code><Message>${escapeXml(s3Error.message)}</Message>` +
            `${call.key ? `<Key>${escapeXml(call.key)}</Key>` : ''}<BucketName>${escapeXml(call.bucket)}</BucketName></Error>`,
        );
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
