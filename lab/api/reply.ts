// What a route answers. Routes return values; only server.ts writes to the socket.
import type { ServerResponse } from 'node:http';
import type { FailureStatus } from './status.js';

export type Reply =
  | { kind: 'json'; code: number; body: unknown }
  | { kind: 'text'; code: number; body: string }
  | { kind: 'failure'; status: FailureStatus }
  /** A long-lived answer (watch): it owns the response until it ends it. */
  | { kind: 'stream'; start(res: ServerResponse): void };

export function json(body: unknown, code = 200): Reply {
  return { kind: 'json', code, body };
}

export function text(body: string, code = 200): Reply {
  return { kind: 'text', code, body };
}

export function fail(status: FailureStatus): Reply {
  return { kind: 'failure', status };
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  switch (reply.kind) {
    case 'json':
      writeBody(res, reply.code, 'application/json', JSON.stringify(reply.body));
      return;
    case 'text':
      writeBody(res, reply.code, 'text/plain; charset=utf-8', reply.body);
      return;
    case 'failure':
      writeBody(res, reply.status.code, 'application/json', JSON.stringify(reply.status));
      return;
    case 'stream':
      reply.start(res);
      return;
    default: {
      const unexpected: never = reply;
      throw new Error(`unexpected reply ${JSON.stringify(unexpected)}`);
    }
  }
}

function writeBody(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    // Like the real apiserver: clients must not cache API answers.
    'Cache-Control': 'no-cache, private',
  });
  res.end(body);
}
