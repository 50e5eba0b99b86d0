// One HTTPS request to an etcd client port with a member's client certificate, as `curl --cacert --cert --key` does.
// Failures (refused, TLS rejected, timeout) are values, not exceptions.
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export type TlsReply = { kind: 'reply'; status: number; body: string } | { kind: 'failed'; error: string };

export interface ClientCredentials {
  ca: string;
  cert: string;
  key: string;
}

/** The client credentials keyturn uses on a server: server-ca.crt plus client.crt/key from the node's etcd TLS dir. */
export async function readClientCredentials(tlsDir: string): Promise<ClientCredentials | { error: string }> {
  try {
    const [ca, cert, key] = await Promise.all(
      ['server-ca.crt', 'client.crt', 'client.key'].map((f) => readFile(path.join(tlsDir, f), 'utf8')),
    );
    return { ca, cert, key };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function requestOverTls(
  url: string,
  creds: ClientCredentials,
  opts: { method: 'GET' | 'POST'; body?: string; timeoutMs: number },
): Promise<TlsReply> {
  return new Promise((resolve) => {
    const req = https.request(
      url,
      { method: opts.method, ca: creds.ca, cert: creds.cert, key: creds.key, agent: false, timeout: opts.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ kind: 'reply', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => resolve({ kind: 'failed', error: e.message }));
      },
    );
    // A member that restarted without quorum accepts TCP but never completes the handshake: the timeout is the answer.
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ kind: 'failed', error: e.message }));
    req.end(opts.body);
  });
}
