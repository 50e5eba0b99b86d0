// An emulated etcd member: its client API over HTTPS (HTTP/2 or 1.1, like etcd 3.4) on its private client port with
// the member's server-client cert, demanding a client cert from server-ca like --client-cert-auth, and plain HTTP
// metrics on its private metrics port; the front (../front.ts) serves upstream's 2379/2381/2382 from them, as for a
// real member. Client connections are accepted by a plain TCP listener and handed to TLS only once the member has
// joined a quorum, which is how a real member that restarted alone behaves (TCP connects, the handshake waits).
// It serves no gRPC: a gRPC call gets UNIMPLEMENTED (keyturn never speaks gRPC; real mode proves the gRPC path).
import { appendFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import type { EtcdMember } from '../../contract.js';
import { createSerialQueue } from '../serial.js';
import { MEMBER_CLIENT_PORT, MEMBER_METRICS_PORT, type EtcdMemberSpec } from '../types.js';
import { answer, type Listener } from './endpoints.js';
import type { EmulatedQuorum, MemberView } from './quorum.js';
import { loadMemberTls } from './tls-material.js';

interface Running {
  gate: net.Server;
  tlsServer: http2.Http2SecureServer;
  metrics: http.Server;
  sockets: Set<net.Socket>;
  waiting: net.Socket[];
  unsubscribe: () => void;
}

export function createEmulatedMember(spec: EtcdMemberSpec, quorum: EmulatedQuorum): EtcdMember {
  const serial = createSerialQueue();
  let running: Running | null = null;
  const log = (line: string) => {
    mkdirSync(path.dirname(spec.logFile), { recursive: true });
    appendFileSync(spec.logFile, `${new Date().toISOString()} ${spec.name} | ${line}\n`);
  };

  const handler =
    (listener: Listener) =>
    (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (String(req.headers['content-type'] ?? '').startsWith('application/grpc')) {
          res.writeHead(200, {
            'content-type': 'application/grpc',
            'grpc-status': '12',
            'grpc-message': 'the lab emulation serves no gRPC',
          });
          res.end();
          return;
        }
        const url = new URL(req.url ?? '/', 'http://emulated');
        const reply = answer(quorum, spec.name, listener, {
          method: req.method ?? 'GET',
          path: url.pathname,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(reply.status, {
          'content-type': reply.contentType,
          'content-length': Buffer.byteLength(reply.body),
        });
        res.end(reply.body);
      });
    };

  const start = async (): Promise<void> => {
    if (running) return;
    const loaded = loadMemberTls(spec.tlsDir);
    if (loaded.kind === 'unusable') {
      log(`cannot start: ${loaded.reason}`);
      throw new Error(`etcd ${spec.name} (emulated) cannot start: ${loaded.reason}`);
    }
    const { tls } = loaded;
    const tlsServer = http2.createSecureServer(
      {
        key: tls.serverKey,
        cert: tls.serverCert,
        ca: tls.serverCa,
        requestCert: true,
        rejectUnauthorized: true,
        allowHTTP1: true,
      },
      handler('client'),
    );
    tlsServer.on('tlsClientError', (error, socket) =>
      log(`rejected connection from "${socket.remoteAddress}" (error "${error.message}")`),
    );
    const sockets = new Set<net.Socket>();
    const waiting: net.Socket[] = [];
    const admit = (socket: net.Socket) => tlsServer.emit('connection', socket);
    const gate = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (servesClients(quorum.viewOf(spec.name))) admit(socket);
      else waiting.push(socket);
    });
    const metrics = http.createServer(handler('metrics'));
    metrics.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    try {
      await listen(gate, spec.address, MEMBER_CLIENT_PORT);
      await listen(metrics, spec.address, MEMBER_METRICS_PORT);
    } catch (error) {
      gate.close();
      metrics.close();
      log(`cannot listen: ${(error as Error).message}`);
      throw new Error(`etcd ${spec.name} (emulated) cannot listen on ${spec.address}: ${(error as Error).message}`);
    }
    const unsubscribe = quorum.onChange(() => {
      if (!servesClients(quorum.viewOf(spec.name))) return;
      for (const socket of waiting.splice(0)) if (!socket.destroyed) admit(socket);
    });
    running = { gate, tlsServer, metrics, sockets, waiting, unsubscribe };
    quorum.join(spec.name, tls);
    log(`started; view ${quorum.viewOf(spec.name).kind}`);
  };

  const stop = async (): Promise<void> => {
    if (!running) return;
    const { gate, tlsServer, metrics, sockets, unsubscribe } = running;
    running = null;
    unsubscribe();
    quorum.leave(spec.name);
    const closed = Promise.all([closeServer(gate), closeServer(metrics)]);
    for (const socket of sockets) socket.destroy();
    tlsServer.close();
    await closed;
    log('stopped');
  };

  return {
    name: spec.name,
    mode: 'emulated',
    start: () => serial(start),
    stop: () => serial(stop),
    isRunning: () => running !== null,
  };
}

/** Whether the client port completes handshakes: only after the member has joined a quorum since it started. */
function servesClients(view: MemberView): boolean {
  switch (view.kind) {
    case 'in-quorum':
    case 'no-leader':
      return true;
    case 'stalled':
    case 'stopped':
      return false;
    default: {
      const unknown: never = view;
      throw new Error(`unexpected member view ${JSON.stringify(unknown)}`);
    }
  }
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
