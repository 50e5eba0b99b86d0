// Credentials the API refuses, as kube-apiserver refuses them: the TLS handshake completes whatever the client shows
// (secure_serving.go: tls.RequestClientCert) and HTTP answers 401 Unauthorized for no, unknown or bad credentials
// (anonymous auth is off on RKE2/K3s), 403 Forbidden for a known user RBAC does not allow. Checked with raw
// requests, the real kubectl, and `keyturn status`, which must name the refusal, the kubeconfig and the fix (exit 2)
// instead of calling the API unreachable.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { runStatus } from '../../../src/commands/status.js';
import { runPlan } from '../../../src/commands/plan.js';
import { runRecipe } from '../../../src/commands/run.js';
import type { WizardIo } from '../../../src/commands/wizard.js';
import { haveBinaries } from '../../support/binaries.js';
import { FakeBackend, splitCluster } from './support/fake-backend.js';
import { startHarness, type Harness } from './support/harness.js';

const ok = haveBinaries('kubectl', 'openssl');
const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/** A kubeconfig for the harness's server with the given user entry (and, optionally, another CA). */
function kubeconfig(server: string, caPem: string, user: Record<string, string>): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: 'oncall', user }],
    contexts: [{ name: 'prod-east', context: { cluster: 'lab', user: 'oncall' } }],
    'current-context': 'prod-east',
  });
}

/** GET with exactly the credentials given (none, a token, or a certificate pair). */
function get(
  api: Harness,
  urlPath: string,
  creds: { cert?: string; key?: string; token?: string },
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${api.handle.url}${urlPath}`,
      {
        ca: api.tls.caPem,
        cert: creds.cert,
        key: creds.key,
        agent: false,
        headers: creds.token ? { Authorization: `Bearer ${creds.token}` } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!ok)('the lab API refuses credentials like kube-apiserver', () => {
  let api: Harness;
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    api = await startHarness(new FakeBackend(splitCluster()));
    dir = await mkdtemp(path.join(os.tmpdir(), 'kt-auth-'));
    const { tls } = api;
    const variants = {
      token: { token: 'not-a-token-this-cluster-knows' },
      stranger: { 'client-certificate-data': b64(tls.strangerCertPem), 'client-key-data': b64(tls.strangerKeyPem) },
      viewer: { 'client-certificate-data': b64(tls.viewerCertPem), 'client-key-data': b64(tls.viewerKeyPem) },
    };
    for (const [name, user] of Object.entries(variants)) {
      files[name] = path.join(dir, `${name}.yaml`);
      await writeFile(files[name], kubeconfig(api.handle.url, tls.caPem, user));
    }
    // The admin's own credentials, but a CA that did not sign the server's certificate (another cluster's).
    files.otherCa = path.join(dir, 'other-ca.yaml');
    await writeFile(
      files.otherCa,
      kubeconfig(api.handle.url, tls.strangerCertPem, {
        'client-certificate-data': b64(tls.clientCertPem),
        'client-key-data': b64(tls.clientKeyPem),
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers 401 Unauthorized over a completed handshake for no credentials, an unknown token or another CA's certificate", async () => {
    const { tls } = api;
    for (const creds of [{}, { token: 'bogus' }, { cert: tls.strangerCertPem, key: tls.strangerKeyPem }]) {
      const r = await get(api, '/api/v1/nodes', creds);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'Unauthorized',
        message: 'Unauthorized',
        code: 401,
      });
    }
    // /readyz too: with anonymous auth off, health needs a user like everything else.
    expect((await get(api, '/readyz', { token: 'bogus' })).status).toBe(401);
    expect((await get(api, '/api/v1/nodes', { cert: tls.clientCertPem, key: tls.clientKeyPem })).status).toBe(200);
  });

  it("answers 403 with RBAC's message to a known user outside system:masters, and lets it read discovery and health", async () => {
    const viewer = { cert: api.tls.viewerCertPem, key: api.tls.viewerKeyPem };
    const nodes = await get(api, '/api/v1/nodes', viewer);
    expect(nodes.status).toBe(403);
    expect(nodes.body).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
    });
    const lease = await get(api, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/keyturn', viewer);
    expect(lease.body.message).toBe(
      'leases.coordination.k8s.io "keyturn" is forbidden: User "jane" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system"',
    );
    expect((await get(api, '/readyz', viewer)).status).toBe(200);
    expect((await get(api, '/api', viewer)).status).toBe(200);
  });

  it('the real kubectl is told it must log in (401) and is forbidden (403), as against a real cluster', async () => {
    const token = await api.kubectl('--kubeconfig', files.token, 'get', 'nodes');
    expect(token.code).not.toBe(0);
    expect(token.stderr).toMatch(
      /error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/,
    );
    expect(token.stderr).not.toMatch(/certificate required|tls:/);
    const stranger = await api.kubectl('--kubeconfig', files.stranger, 'get', 'nodes');
    expect(stranger.stderr).toMatch(/You must be logged in to the server/);
    const viewer = await api.kubectl('--kubeconfig', files.viewer, 'get', 'nodes');
    expect(viewer.stderr).toContain(
      'Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes"',
    );
  });

  describe('keyturn status names the refusal, the kubeconfig and the fix, exit 2', () => {
    let stderr = '';
    const saved = { ...process.env };
    beforeEach(() => {
      process.env.KEYTURN_CONFIG_DIR = path.join(dir, 'conf');
      delete process.env.KUBECONFIG;
      stderr = '';
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      });
    });
    afterEach(() => {
      vi.restoreAllMocks();
      process.env = { ...saved };
    });

    const line = () => {
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      return lines[0];
    };

    it('401: the kubeconfig user was refused', async () => {
      expect(await runStatus({ kubeconfig: files.token })).toBe(2);
      const l = line();
      expect(l).toContain('refused the credentials of user "oncall" (HTTP 401 Unauthorized');
      expect(l).toContain(`kubeconfig ${files.token}, context "prod-east"`);
      expect(l).toContain('/etc/rancher/rke2/rke2.yaml');
      expect(l).not.toMatch(/not reachable|API is down/);
    });

    it("401 for a certificate of another cluster's CA too (the handshake no longer fails)", async () => {
      expect(await runStatus({ kubeconfig: files.stranger })).toBe(2);
      expect(line()).toContain('refused the credentials of user "oncall" (HTTP 401');
    });

    it('403: the user is known but not allowed', async () => {
      expect(await runStatus({ kubeconfig: files.viewer })).toBe(2);
      const l = line();
      expect(l).toContain('knows user "oncall" but does not allow it (HTTP 403: nodes is forbidden: User "jane"');
      expect(l).toContain('system:masters');
    });

    it("TLS: the kubeconfig's CA does not verify the server", async () => {
      expect(await runStatus({ kubeconfig: files.otherCa })).toBe(2);
      const l = line();
      expect(l).toContain(`is not verified by the CA in kubeconfig ${files.otherCa}, context "prod-east"`);
      expect(l).toContain('certificate-authority-data');
    });

    it('plan and run say the same line as status, exit 2 — not the planner\'s "no reachable node" (issue #14 item 11)', async () => {
      // A terminal as `run` wants one; the refusal comes before its screen.
      const tty = { isTTY: true, write: (chunk: string) => ((stderr += chunk), true) };
      const io = { stdin: { isTTY: true }, stdout: tty, stderr: tty } as unknown as WizardIo;
      for (const file of [files.token, files.viewer, files.otherCa]) {
        stderr = '';
        expect(await runStatus({ kubeconfig: file })).toBe(2);
        const fromStatus = line();
        stderr = '';
        expect(await runPlan('rotate-certs', { kubeconfig: file })).toBe(2);
        expect(line()).toBe(fromStatus);
        stderr = '';
        expect(await runRecipe('rotate-certs', { kubeconfig: file }, io)).toBe(2);
        const lines = stderr.trim().split('\n');
        expect(lines.filter((l) => !l.includes('discovering the cluster'))).toEqual([fromStatus]);
        expect(stderr).not.toMatch(/cannot plan|reachable/);
      }
    });

    it('unreachable stays unreachable: nothing listens at the address', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const closed = path.join(dir, 'closed.yaml');
      await writeFile(closed, kubeconfig(`https://127.0.0.1:${port}`, api.tls.caPem, { token: 'x' }));
      let out = '';
      vi.mocked(process.stdout.write).mockImplementation(
        (chunk: string | Uint8Array) => ((out += String(chunk)), true),
      );
      expect(await runStatus({ kubeconfig: closed })).toBe(2);
      expect(out).toMatch(/API NOT reachable/);
      expect(out).toMatch(/is not reachable \(ECONNREFUSED/);
      expect(stderr).not.toMatch(/refused the credentials|not verified/);
    });
  });
});
