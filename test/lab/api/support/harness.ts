// Starts the API server on a free port with openssl-made TLS and a kubeconfig, and talks to it over node:https.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiServer, writeKubeconfig, type ApiServerHandle } from '../../../../lab/api/index.js';
import type { FakeBackend } from './fake-backend.js';
import { makeTestTls, type TestTls } from './tls.js';

export interface Harness {
  handle: ApiServerHandle;
  tls: TestTls;
  dir: string;
  kubeconfig: string;
  request(method: string, urlPath: string, options?: RequestOptions): Promise<HttpAnswer>;
  kubectl(...args: string[]): Promise<KubectlResult>;
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** false: connect without a client certificate. */
  clientCert?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = any>(): T;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

let sharedTls: TestTls | undefined;

export async function startHarness(backend: FakeBackend): Promise<Harness> {
  sharedTls ??= makeTestTls();
  const tls = sharedTls;
  const dir = mkdtempSync(path.join(tmpdir(), 'keyturn-api-'));
  const handle = await startApiServer({
    backend,
    host: '127.0.0.1',
    port: 0,
    tls: { certPem: tls.serverCertPem, keyPem: tls.serverKeyPem, clientCaPem: tls.caPem },
  });
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, {
    server: handle.url,
    caPem: tls.caPem,
    clientCertPem: tls.clientCertPem,
    clientKeyPem: tls.clientKeyPem,
    clusterName: 'keyturn-lab',
  });
  return {
    handle,
    tls,
    dir,
    kubeconfig,
    request: (method, urlPath, options = {}) => httpsRequest(handle, tls, method, urlPath, options),
    kubectl: (...args) => runKubectl(kubeconfig, dir, args),
    async close() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function httpsRequest(
  handle: ApiServerHandle,
  tls: TestTls,
  method: string,
  urlPath: string,
  options: RequestOptions,
): Promise<HttpAnswer> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const withCert = options.clientCert !== false;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${handle.url}${urlPath}`,
      {
        method,
        ca: tls.caPem,
        cert: withCert ? tls.clientCertPem : undefined,
        key: withCert ? tls.clientKeyPem : undefined,
        headers: {
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The real kubectl with its own discovery cache, so runs never share state through ~/.kube. */
function runKubectl(kubeconfig: string, dir: string, args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'kube-cache'), ...args],
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
