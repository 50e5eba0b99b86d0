// The lab's Kubernetes API server: HTTPS with client-certificate authentication, like RKE2's apiserver reached
// with the admin kubeconfig. Credentials are judged over HTTP as the apiserver does (auth.ts): 401 for none or
// unknown ones, 403 for a verified user outside system:masters on a resource.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiBackend } from '../contract.js';
import { ResourceVersionClock } from './clock.js';
import type { ApiContext } from './context.js';
import { DataObjectStore } from './data-store.js';
import { LeaseStore } from './lease-store.js';
import { NodeStore } from './node-store.js';
import { authenticate, forbidden, unauthorized } from './auth.js';
import { fail, writeReply } from './reply.js';
import { parseRequest } from './request.js';
import { route } from './router.js';
import { failure } from './status.js';

export interface ApiServerHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  backend: ApiBackend;
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string; clientCaPem: string };
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServerHandle> {
  const clock = new ResourceVersionClock();
  const nodes = new NodeStore(opts.backend, clock);
  const ctx: ApiContext = {
    backend: opts.backend,
    clock,
    nodes,
    leases: new LeaseStore(opts.backend, clock),
    configMaps: new DataObjectStore('ConfigMap', clock),
    secrets: new DataObjectStore('Secret', clock),
    serverAddress: '',
    startedAt: new Date(),
  };
  // Watches learn about node changes through the store; refreshing on every backend notification feeds them.
  const unsubscribe = opts.backend.subscribe(() => {
    if (opts.backend.unavailableReason() === null) nodes.refresh();
  });

  const server = https.createServer(
    // Requested, not required: the handshake succeeds whatever the client shows, and HTTP answers 401/403.
    {
      cert: opts.tls.certPem,
      key: opts.tls.keyPem,
      ca: opts.tls.clientCaPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const request = parseRequest(req);
      const user = authenticate(req);
      const refused = user ? forbidden(user, request.method, request.segments, request.query) : unauthorized();
      if (refused) return writeReply(res, fail(refused));
      route(request, ctx)
        .then((reply) => writeReply(res, reply))
        .catch((error: unknown) => {
          // A bug in a route: answer like the apiserver's panic handler rather than dropping the connection.
          if (res.headersSent) res.destroy(error as Error);
          else
            writeReply(
              res,
              fail(failure(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`)),
            );
        });
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  ctx.serverAddress = `${hostForUrl}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `https://${hostForUrl}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        server.close(() => resolve());
        // Watches never end on their own; without this, close() would wait for their timeouts.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
