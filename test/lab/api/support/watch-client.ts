// Reads a watch stream line by line, so a test can await the next event instead of sleeping.
import https from 'node:https';
import type { Harness } from './harness.js';

export interface WatchEvent {
  type: string;
  object: any;
}

export interface WatchStream {
  status: number;
  next(timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openWatch(api: Harness, urlPath: string, headers: Record<string, string> = {}): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${api.handle.url}${urlPath}`,
      {
        ca: api.tls.caPem,
        cert: api.tls.clientCertPem,
        key: api.tls.clientKeyPem,
        headers: { Accept: 'application/json', ...headers },
        agent: false,
      },
      (res) => {
        const queue: WatchEvent[] = [];
        const waiters: ((e: WatchEvent) => void)[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            if (line.trim() === '') continue;
            const event = JSON.parse(line) as WatchEvent;
            const waiter = waiters.shift();
            if (waiter) waiter(event);
            else queue.push(event);
          }
        });
        const ended = new Promise<void>((done) => res.on('end', done).on('close', done));
        resolve({
          status: res.statusCode ?? 0,
          ended,
          next(timeoutMs = 5000) {
            const queued = queue.shift();
            if (queued) return Promise.resolve(queued);
            return new Promise((ok, fail) => {
              const timer = setTimeout(() => fail(new Error(`no watch event within ${timeoutMs}ms`)), timeoutMs);
              waiters.push((event) => {
                clearTimeout(timer);
                ok(event);
              });
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}
