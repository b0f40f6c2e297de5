import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local stand-in for the Redshift control plane, for the rehearsal's scheduled
 * loader: the one call src/data-api/cluster-status.ts makes through @aws-sdk/client-redshift,
 * DescribeClusters of one cluster, answering its `ClusterStatus`. The SDK reaches it
 * through AWS_ENDPOINT_URL_REDSHIFT. Redshift speaks the AWS Query protocol: a
 * form-encoded POST (`Action=DescribeClusters&Version=2012-12-01&ClusterIdentifier=…`)
 * answered with XML, an error as `ErrorResponse/Error/Code`.
 * @see https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusters.html
 */

/** Options of {@link startRedshiftStandIn}. */
export interface RedshiftStandInOptions {
  /** The clusters it knows, by identifier, with their first status (`available`, `paused`, ...). */
  readonly clusters: Readonly<Record<string, string>>;
  /** Access key id → the IAM role name of the caller that signs with it, for the call log. */
  readonly accessKeys?: Readonly<Record<string, string>>;
}

/** One call the stand-in answered. */
export interface RedshiftCall {
  readonly action: string;
  readonly caller: string;
  readonly clusterIdentifier?: string;
  /** The status it answered, or the error code. */
  readonly answer: string;
}

/** A running Redshift stand-in. */
export interface RedshiftStandIn {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly calls: readonly RedshiftCall[];
  /** Sets a cluster's status, as PauseCluster or ResumeCluster (and the time they take) would. */
  setStatus(clusterIdentifier: string, status: string): void;
  close(): Promise<void>;
}

const NAMESPACE = 'http://redshift.amazonaws.com/doc/2012-12-01/';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);

/** A Query protocol error, as Redshift answers one. */
function errorXml(code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the Redshift stand-in on a free port of 127.0.0.1. */
export async function startRedshiftStandIn(options: RedshiftStandInOptions): Promise<RedshiftStandIn> {
  const statuses = new Map(Object.entries(options.clusters));
  const calls: RedshiftCall[] = [];

  /** The answer to one form-encoded request: HTTP status and XML. */
  const answer = (form: URLSearchParams, caller: string, requestId: string): { status: number; xml: string } => {
    const action = form.get('Action') ?? '';
    const clusterIdentifier = form.get('ClusterIdentifier') ?? undefined;
    const record = (answered: string) => calls.push({ action, caller, answer: answered, ...(clusterIdentifier ? { clusterIdentifier } : {}) });
    if (action !== 'DescribeClusters') {
      record('InvalidAction');
      return { status: 400, xml: errorXml('InvalidAction', `The rehearsal's Redshift stand-in answers DescribeClusters only, not ${action || 'a request without Action'}`, requestId) };
    }
    const status = clusterIdentifier === undefined ? undefined : statuses.get(clusterIdentifier);
    if (status === undefined) {
      // The stand-in describes one named cluster; listing every cluster is no call of the project's.
      record('ClusterNotFound');
      return { status: 404, xml: errorXml('ClusterNotFound', `Cluster ${clusterIdentifier ?? '(none named)'} not found.`, requestId) };
    }
    record(status);
    return {
      status: 200,
      xml:
        `<DescribeClustersResponse xmlns="${NAMESPACE}"><DescribeClustersResult><Clusters><Cluster>` +
        `<ClusterIdentifier>${escapeXml(clusterIdentifier as string)}</ClusterIdentifier><ClusterStatus>${escapeXml(status)}</ClusterStatus>` +
        `<ClusterAvailabilityStatus>${status === 'available' ? 'Available' : 'Unavailable'}</ClusterAvailabilityStatus>` +
        `</Cluster></Clusters></DescribeClustersResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeClustersResponse>`,
    };
  };

  const server = createServer((request, response) => {
    const key = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
    const caller = (key && options.accessKeys?.[key]) ?? `unknown (${key ?? 'unsigned'})`;
    readBody(request)
      .then((body) => {
        const requestId = randomUUID();
        const { status, xml } = answer(new URLSearchParams(body), caller, requestId);
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
        response.end(xml);
      })
      // Only a request the client broke off fails here: there is no one to answer.
      .catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    setStatus: (clusterIdentifier, status) => {
      if (!statuses.has(clusterIdentifier)) throw new Error(`The rehearsal's Redshift stand-in knows no cluster ${clusterIdentifier}`);
      statuses.set(clusterIdentifier, status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
