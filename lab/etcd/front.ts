// The listeners upstream gives an embedded etcd member, in front of the lab's member (real etcd 3.4 or the
// emulation) which listens on private ports only. Opened after the member starts and closed before it stops, so
// "nothing listens" means what it means upstream: the member is not running.
//
// k3s pkg/etcd/etcd.go (listenClientURLs, listenClientHTTPURLs, listenMetricsURLs, cluster()):
// - client 2379 on https://127.0.0.1 and https://<node-ip>. Since k3s#8402 (upstream-versions.ts
//   etcdListenerLayout) it is gRPC only: etcd embed/serve.go hands the listener to grpc-go alone. grpc-go answers
//   an HTTP/2 request without a gRPC content-type with headers only — 415, grpc-status 3 (InvalidArgument),
//   `invalid gRPC request content-type "..."` (internal/transport/http2_server.go operateHeaders) — and an
//   HTTP/1.1 client gets the server's HTTP/2 SETTINGS frame and a closed connection ("bogus greeting"). Before
//   it, HTTP and gRPC shared the port: the member's own client port, passed through byte for byte.
// - client HTTP 2382 on https://127.0.0.1 only (since k3s#8402): the member's HTTP API, same certificates.
// - metrics and plain /health on http://127.0.0.1:2381 only (without etcd-expose-metrics).
// etcd 3.4 (Debian's) has no --listen-client-http-urls, so the gRPC-only port is this front: TLS with the
// member's server-client certificate and client-cert auth, HTTP/2 only, gRPC streams (with trailers) proxied to
// the member, everything else refused the way grpc-go refuses it. The node's loopback is its own (loopback.ts).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { EtcdListenerLayout } from '../upstream-versions.js';
import { loopbackSocket, MAX_SOCKET_PATH } from './loopback.js';
import {
  CLIENT_HTTP_PORT,
  CLIENT_PORT,
  MEMBER_CLIENT_PORT,
  MEMBER_METRICS_PORT,
  METRICS_PORT,
  memberClientUrl,
  type EtcdMemberSpec,
} from './types.js';

export interface EtcdFront {
  close(): Promise<void>;
}

type Accept = (socket: net.Socket) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** An empty HTTP/2 SETTINGS frame: what an HTTP/1.1 client reads from grpc-go before the connection closes. */
const SETTINGS_FRAME = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

export async function openFront(spec: EtcdMemberSpec, layout: EtcdListenerLayout): Promise<EtcdFront> {
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const toMember = pipeTo(spec.address, MEMBER_CLIENT_PORT);
  const grpc = layout === 'grpc-only-client-port' ? createGrpcOnly(spec) : null;
  const client: Accept = grpc ? grpc.accept : toMember;
  const listeners: { where: net.ListenOptions; accept: Accept }[] = [
    { where: { host: spec.address, port: CLIENT_PORT }, accept: client },
    { where: { path: loopbackSocket(spec.loopbackDir, CLIENT_PORT) }, accept: client },
    {
      where: { path: loopbackSocket(spec.loopbackDir, METRICS_PORT) },
      accept: pipeTo(spec.address, MEMBER_METRICS_PORT),
    },
    ...(grpc ? [{ where: { path: loopbackSocket(spec.loopbackDir, CLIENT_HTTP_PORT) }, accept: toMember }] : []),
  ];
  mkdirSync(spec.loopbackDir, { recursive: true });
  const close = async () => {
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const socket of sockets) socket.destroy();
    grpc?.close();
    await closed;
  };
  try {
    for (const { where, accept } of listeners) {
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        accept(socket);
      });
      servers.push(server);
      await listen(server, where);
    }
  } catch (error) {
    await close();
    throw new Error(`etcd ${spec.name}: cannot open its listeners: ${(error as Error).message}`);
  }
  return { close };
}

function listen(server: net.Server, where: net.ListenOptions): Promise<void> {
  if (where.path !== undefined) {
    if (where.path.length > MAX_SOCKET_PATH)
      throw new Error(
        `socket path too long for a unix socket (${where.path.length} > ${MAX_SOCKET_PATH}): ${where.path}`,
      );
    rmSync(where.path, { force: true }); // a socket file left by a killed lab
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ ...where, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Byte-for-byte to one of the member's own listeners (TLS, if any, is between the client and the member). */
function pipeTo(host: string, port: number): Accept {
  return (socket) => {
    const member = net.connect({ host, port });
    member.on('error', () => socket.destroy());
    socket.on('close', () => member.destroy());
    member.on('close', () => socket.destroy());
    socket.pipe(member).pipe(socket);
  };
}

/** https://<addr>:2379 as grpc-go serves it when etcd runs HTTP on a separate listener. */
function createGrpcOnly(spec: EtcdMemberSpec): { accept: Accept; close: () => void } {
  const read = (file: string) => readFileSync(path.join(spec.tlsDir, file));
  // Read at each start, like etcd reads its flags' files: a rotation takes effect on the member's restart.
  const serverCa = read('server-ca.crt');
  const tlsServer = tls.createServer({
    cert: read('server-client.crt'),
    key: read('server-client.key'),
    ca: serverCa,
    requestCert: true,
    rejectUnauthorized: true,
    // grpc-go offers h2 only; Go lets a client that offers http/1.1 alone through without ALPN (go.dev/issue/46310)
    // where OpenSSL would need a protocol picked: http/1.1 here, which a client cannot tell apart.
    ALPNCallback: ({ protocols }) =>
      protocols.includes('h2') ? 'h2' : protocols.includes('http/1.1') ? 'http/1.1' : undefined,
  });
  const h2 = http2.createServer();
  const backend = createMemberSession(spec, serverCa, read('client.crt'), read('client.key'));
  tlsServer.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.on('error', () => socket.destroy());
    if (socket.alpnProtocol === 'h2') h2.emit('connection', socket);
    else refuseNonHttp2(socket);
  });
  tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
  h2.on('stream', (stream, headers) => {
    const contentType = String(headers['content-type'] ?? '');
    if (isGrpcContentType(contentType)) proxyGrpc(stream, headers, backend.session());
    else refuseNonGrpc(stream, contentType);
  });
  h2.on('sessionError', () => undefined);
  return {
    // Like a member that is not serving yet: TCP connects, the TLS handshake waits until the member answers.
    accept: (socket) => {
      backend
        .ready()
        .then(() => (socket.destroyed ? undefined : tlsServer.emit('connection', socket)))
        .catch(() => socket.destroy());
    },
    close: () => {
      backend.close();
      tlsServer.close();
      h2.close();
    },
  };
}

/** grpcutil.ContentSubtype: "application/grpc", or it followed by "+" or ";". */
function isGrpcContentType(value: string): boolean {
  return value === 'application/grpc' || value.startsWith('application/grpc+') || value.startsWith('application/grpc;');
}

function refuseNonHttp2(socket: tls.TLSSocket): void {
  socket.once('data', (chunk: Buffer) => {
    if (chunk.subarray(0, PREFACE.length).equals(PREFACE)) return; // cannot happen without ALPN h2; ignore
    socket.end(SETTINGS_FRAME);
  });
}

function refuseNonGrpc(stream: http2.ServerHttp2Stream, contentType: string): void {
  stream.on('error', () => undefined);
  stream.respond(
    {
      ':status': 415,
      'content-type': 'application/grpc',
      'grpc-status': '3',
      'grpc-message': `invalid gRPC request content-type ${JSON.stringify(contentType)}`,
    },
    { endStream: true },
  );
}

/** One HTTP/2 session to the member's own client port with this node's client certificate, reopened if it drops. */
function createMemberSession(spec: EtcdMemberSpec, ca: Buffer, cert: Buffer, key: Buffer) {
  let current: http2.ClientHttp2Session | null = null;
  let connected: Promise<void> | null = null;
  let closed = false;
  const open = () => {
    const session = http2.connect(memberClientUrl(spec.address), { ca, cert, key });
    session.on('error', () => undefined);
    session.on('close', () => {
      if (current === session) {
        current = null;
        connected = null;
      }
    });
    current = session;
    connected = new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('close', () => reject(new Error('member connection closed')));
    });
    connected.catch(() => undefined);
  };
  return {
    ready(): Promise<void> {
      if (closed) return Promise.reject(new Error('front closed'));
      if (!current || current.closed || current.destroyed) open();
      return connected!;
    },
    session(): http2.ClientHttp2Session {
      if (!current || current.closed || current.destroyed) open();
      return current!;
    },
    close() {
      closed = true;
      current?.destroy();
    },
  };
}

/** A gRPC call, headers, messages and trailers, to the member and back (trailers-only answers included). */
function proxyGrpc(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  session: http2.ClientHttp2Session,
): void {
  const forward: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === ':scheme' || name === ':authority') continue;
    forward[name] = value;
  }
  let trailers: http2.IncomingHttpHeaders | null = null;
  const call = session.request(forward);
  const fail = () => {
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
  };
  call.on('error', fail);
  stream.on('error', fail);
  stream.on('close', () => {
    if (!call.destroyed) call.close(http2.constants.NGHTTP2_CANCEL);
  });
  stream.pipe(call);
  call.on('response', (answer, flags) => {
    const respond: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer)) {
      if (value !== undefined && (name === ':status' || !name.startsWith(':'))) respond[name] = value;
    }
    const ended = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    if (stream.destroyed) return;
    stream.respond(respond, { endStream: ended, waitForTrailers: !ended });
    if (!ended) call.pipe(stream);
  });
  call.on('trailers', (t) => {
    trailers = t;
  });
  stream.on('wantTrailers', () => {
    const out: http2.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(
      trailers ?? { 'grpc-status': '13', 'grpc-message': 'lab front: the member sent no trailers' },
    )) {
      if (value !== undefined && !name.startsWith(':')) out[name] = value;
    }
    stream.sendTrailers(out);
  });
}
