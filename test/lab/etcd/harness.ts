// Shared test plumbing: a temp lab of N etcd members on one address range, curl as keyturn runs it on a node,
// and polling with a deadline for cluster state that settles over time (real elections).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EtcdMemberSpec } from '../../../lab/etcd/index.js';
import { createEtcdCas, writeNodeEtcdTls, type EtcdCas } from './pki.js';

export interface TestLab {
  root: string;
  cas: EtcdCas;
  specs: EtcdMemberSpec[];
}

export function makeTestLab(prefix: string, net: string, count: number): TestLab {
  const root = mkdtempSync(path.join(os.tmpdir(), `keyturn-etcd-${prefix}-`));
  const cas = createEtcdCas(path.join(root, 'ca'), prefix);
  const specs = Array.from({ length: count }, (_, i) => {
    const name = `${prefix}-etcd-${i + 1}`;
    const node = path.join(root, 'nodes', name);
    const spec: EtcdMemberSpec = {
      name,
      address: `${net}.${i + 1}`,
      tlsDir: path.join(node, 'data', 'server', 'tls', 'etcd'),
      dataDir: path.join(node, 'etcd'),
      logFile: path.join(node, 'etcd.log'),
      loopbackDir: path.join(node, 'lo'),
    };
    writeNodeEtcdTls(cas, spec.tlsDir, spec);
    return spec;
  });
  return { root, cas, specs };
}

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** curl -s with a timeout; extra args follow. Resolves with the exit code rather than throwing. */
export function curl(args: string[], timeoutSeconds = 5): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-m', String(timeoutSeconds), ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CurlMemberOptions {
  post?: boolean;
  timeoutSeconds?: number;
  /** Another directory's client.crt/key. */
  creds?: string;
  /** Where to ask: the node's own loopback HTTP listener (default, https://127.0.0.1:2382), or another listener. */
  at?: 'loopback-2382' | 'loopback-2379' | 'address-2379';
  extra?: string[];
}

/** curl to a member's HTTP API with that node's client credentials, as keyturn runs it on the node. */
export function curlMember(spec: EtcdMemberSpec, urlPath: string, opts: CurlMemberOptions = {}) {
  const tls = opts.creds ?? spec.tlsDir;
  const args = [
    '--cacert',
    path.join(spec.tlsDir, 'server-ca.crt'),
    '--cert',
    path.join(tls, 'client.crt'),
    '--key',
    path.join(tls, 'client.key'),
  ];
  if (opts.post) args.push('-X', 'POST', '-d', '{}');
  args.push(...(opts.extra ?? []));
  switch (opts.at ?? 'loopback-2382') {
    case 'loopback-2382':
      return curl([...args, ...onLoopback(spec, 2382), `https://127.0.0.1:2382${urlPath}`], opts.timeoutSeconds);
    case 'loopback-2379':
      return curl([...args, ...onLoopback(spec, 2379), `https://127.0.0.1:2379${urlPath}`], opts.timeoutSeconds);
    case 'address-2379':
      return curl([...args, `https://${spec.address}:2379${urlPath}`], opts.timeoutSeconds);
  }
}

/** The node's own 127.0.0.1:<port> (what the node's bin/curl does for it). */
export function onLoopback(spec: EtcdMemberSpec, port: number): string[] {
  return ['--unix-socket', path.join(spec.loopbackDir, String(port))];
}

/** Plain http://127.0.0.1:2381<path> on the member's own node. */
export function curlMetrics(spec: EtcdMemberSpec, urlPath: string, timeoutSeconds?: number) {
  return curl([...onLoopback(spec, 2381), `http://127.0.0.1:2381${urlPath}`], timeoutSeconds);
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  deadlineMs = 30_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until)
      throw new Error(`${what}: not reached within ${deadlineMs} ms; last: ${JSON.stringify(last)}`);
    await delay(100);
    last = await probe();
  }
  return last;
}

export function processesMentioning(text: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-af', text], (_error, stdout) => resolve(stdout.trim()));
  });
}
