import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_CONTENT_TYPE, type DataApiHeaders } from './data-api-protocol';

/** What the server answers one call with. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Answers one call from its headers and body; never throws. */
export type CallAnswerer = (headers: DataApiHeaders, body: string) => Promise<HttpAnswer>;

/** A listening server. */
export interface DataApiServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops listening and drops open connections (the SDK keeps them alive). */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 and answers every request with `answer`, as JSON 1.1. */
export async function serveDataApi(answer: CallAnswerer): Promise<DataApiServer> {
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer({ target: header(request, 'x-amz-target'), authorization: header(request, 'authorization') }, body))
      .then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': randomUUID() });
        response.end(body);
      })
      // Only a request the client broke off fails here: there is no one to answer.
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
