// Shared test plumbing: a temp lab of N etcd members on one address range, curl as keyturn runs it on a node,
// and polling with a deadline for cluster state that settles over time (real elections).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EtcdMemberSpec } from '../../../src/lab/etcd/index.js';
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

/** curl against a member's client port with that node's client credentials (what keyturn runs on the node). */
export function curlMember(spec: EtcdMemberSpec, urlPath: string, opts: { post?: boolean; timeoutSeconds?: number; creds?: string } = {}) {
  const tls = opts.creds ?? spec.tlsDir;
  const args = ['--cacert', path.join(spec.tlsDir, 'server-ca.crt'), '--cert', path.join(tls, 'client.crt'), '--key', path.join(tls, 'client.key')];
  if (opts.post) args.push('-X', 'POST', '-d', '{}');
  return curl([...args, `https://${spec.address}:2379${urlPath}`], opts.timeoutSeconds);
}

export async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`${what}: not reached within ${deadlineMs} ms; last: ${JSON.stringify(last)}`);
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
