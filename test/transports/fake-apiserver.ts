// A tiny HTTPS server that answers like a kube-apiserver for the routes a test scripts, and records requests.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { KeyPair } from './test-pki.js';

export interface FakeResponse {
  status: number;
  body: unknown;
}

export interface RecordedRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
  clientCertCN: string | null;
}

export type Route = (request: RecordedRequest) => FakeResponse | undefined;

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  /** Routes are tried newest first; the first that answers wins. */
  route(method: string, pathPrefix: string, respond: (request: RecordedRequest) => FakeResponse): void;
  close(): Promise<void>;
}

export async function startFakeApiServer(serverCert: KeyPair, clientCa: KeyPair): Promise<FakeApiServer> {
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(
    { key: serverCert.key, cert: serverCert.cert, ca: clientCa.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
          clientCertCN: peer && peer.subject ? String(peer.subject.CN) : null,
        };
        requests.push(recorded);
        const answer = routes.map((r) => r(recorded)).find(Boolean) ?? {
          status: 404,
          body: status(404, 'NotFound', 'no route'),
        };
        res.writeHead(answer.status, {
          'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    route(method, pathPrefix, respond) {
      routes.unshift((request) =>
        request.method === method && request.url.startsWith(pathPrefix) ? respond(request) : undefined,
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A metav1.Status body, as the apiserver sends with errors. */
export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code };
}

export interface KubeconfigSpec {
  server: string;
  ca?: KeyPair;
  client?: KeyPair;
  contexts?: string[];
  currentContext?: string;
}

/** A kubeconfig with embedded (-data) credentials; each context points at the same cluster and user. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const contexts = spec.contexts ?? ['test'];
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'c',
        cluster: { server: spec.server, ...(spec.ca ? { 'certificate-authority-data': b64(spec.ca.cert) } : {}) },
      },
    ],
    users: [
      {
        name: 'u',
        user: spec.client
          ? { 'client-certificate-data': b64(spec.client.cert), 'client-key-data': b64(spec.client.key) }
          : {},
      },
    ],
    contexts: contexts.map((name) => ({ name, context: { cluster: 'c', user: 'u' } })),
    'current-context': spec.currentContext ?? contexts[0],
  });
}
