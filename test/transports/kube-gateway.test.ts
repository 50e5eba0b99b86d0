import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeGateway } from '../../src/transports/kube-gateway.js';
import { haveBinaries } from '../support/binaries.js';
import { kubeconfigYaml, startFakeApiServer, status, type FakeApiServer } from './fake-apiserver.js';
import { issue, makeCa, type KeyPair } from './test-pki.js';

const available = haveBinaries('openssl');

const nodeList = {
  kind: 'NodeList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '7' },
  items: [
    {
      metadata: {
        name: 'cp-1',
        labels: { 'node-role.kubernetes.io/control-plane': 'true' },
        annotations: { 'rke2.io/encryption-config-hash': 'start-abc' },
      },
      spec: { providerID: 'rke2://cp-1' },
      status: {
        addresses: [
          { type: 'Hostname', address: 'cp-1' },
          { type: 'InternalIP', address: '127.0.10.1' },
        ],
        nodeInfo: { kubeletVersion: 'v1.32.5+rke2r1' },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ],
      },
    },
  ],
};

describe.skipIf(!available)('kube gateway against a fake apiserver', () => {
  let dir: string;
  let ca: KeyPair;
  let client: KeyPair;
  let api: FakeApiServer;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kt-kube-'));
    ca = makeCa(dir, 'cluster-ca');
    const serving = issue(dir, 'cluster-ca', 'serving', {
      commonName: 'kube-apiserver',
      subjectAltName: 'IP:127.0.0.1',
      usage: 'server',
    });
    client = issue(dir, 'cluster-ca', 'admin', { commonName: 'system:admin', usage: 'client' });
    api = await startFakeApiServer(serving, ca);
    kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml({ server: api.url, ca, client }));
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists nodes over mutual TLS and maps them', async () => {
    api.route('GET', '/api/v1/nodes', () => ({ status: 200, body: nodeList }));
    const gateway = await loadKubeGateway({ kubeconfig });
    expect(gateway.server).toBe(api.url);
    const result = await gateway.listNodes();
    expect(result).toEqual({
      ok: true,
      value: [
        {
          name: 'cp-1',
          labels: { 'node-role.kubernetes.io/control-plane': 'true' },
          annotations: { 'rke2.io/encryption-config-hash': 'start-abc' },
          internalIP: '127.0.10.1',
          kubeletVersion: 'v1.32.5+rke2r1',
          providerID: 'rke2://cp-1',
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
          ],
        },
      ],
    });
    expect(api.requests.at(-1)?.clientCertCN).toBe('system:admin');
  });

  it('maps HTTP statuses to failure kinds', async () => {
    const gateway = await loadKubeGateway({ kubeconfig });
    api.route('GET', '/api/v1/nodes/ghost', () => ({
      status: 404,
      body: status(404, 'NotFound', 'nodes "ghost" not found'),
    }));
    expect(await gateway.getNode('ghost')).toEqual({
      ok: false,
      failure: { kind: 'not-found', detail: 'nodes "ghost" not found' },
    });
    api.route('GET', '/api/v1/nodes', () => ({
      status: 503,
      body: status(503, 'ServiceUnavailable', 'etcdserver: request timed out'),
    }));
    expect(await gateway.listNodes()).toEqual({
      ok: false,
      failure: { kind: 'unavailable', status: 503, detail: 'etcdserver: request timed out' },
    });
    api.route('GET', '/api/v1/events', () => ({ status: 403, body: status(403, 'Forbidden', 'forbidden') }));
    expect(await gateway.listEvents()).toMatchObject({ ok: false, failure: { kind: 'forbidden', status: 403 } });
  });

  it('reads /readyz, with the failed checks as the detail when it is not ready', async () => {
    const gateway = await loadKubeGateway({ kubeconfig });
    api.route('GET', '/readyz', () => ({ status: 200, body: 'ok' }));
    expect(await gateway.readyz()).toEqual({ ok: true, value: 'ok' });
    api.route('GET', '/readyz', () => ({
      status: 503,
      body: '[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n',
    }));
    expect(await gateway.readyz()).toEqual({
      ok: false,
      failure: { kind: 'unavailable', status: 503, detail: '[-]etcd failed: reason withheld' },
    });
  });

  it('patches annotations with a JSON merge patch (null removes a key)', async () => {
    api.route('PATCH', '/api/v1/nodes/cp-1', () => ({ status: 200, body: nodeList.items[0] }));
    const gateway = await loadKubeGateway({ kubeconfig });
    const result = await gateway.patchNodeAnnotations('cp-1', { 'keyturn.io/step': 'rotate', 'keyturn.io/old': null });
    expect(result.ok).toBe(true);
    const sent = api.requests.at(-1)!;
    expect(sent.contentType).toBe('application/merge-patch+json');
    expect(JSON.parse(sent.body)).toEqual({
      metadata: { annotations: { 'keyturn.io/step': 'rotate', 'keyturn.io/old': null } },
    });
  });

  it('counts secrets with one limit=1 request, paging only when the server gives no remaining count', async () => {
    const gateway = await loadKubeGateway({ kubeconfig });
    const secret = (name: string) => ({ metadata: { name, namespace: 'kube-system' } });
    api.route('GET', '/api/v1/secrets', () => ({
      status: 200,
      body: { kind: 'SecretList', metadata: { remainingItemCount: 1233, continue: 'x' }, items: [secret('a')] },
    }));
    const before = api.requests.length;
    expect(await gateway.countSecrets()).toEqual({ ok: true, value: 1234 });
    expect(api.requests.length - before).toBe(1);
    expect(api.requests.at(-1)?.url).toContain('limit=1');

    api.route('GET', '/api/v1/secrets', (request) => {
      const page = new URL(request.url, 'https://x').searchParams.get('continue');
      if (!page)
        return { status: 200, body: { kind: 'SecretList', metadata: { continue: 'p2' }, items: [secret('a')] } };
      if (page === 'p2')
        return {
          status: 200,
          body: { kind: 'SecretList', metadata: { continue: 'p3' }, items: [secret('b'), secret('c')] },
        };
      return { status: 200, body: { kind: 'SecretList', metadata: {}, items: [secret('d')] } };
    });
    expect(await gateway.countSecrets()).toEqual({ ok: true, value: 4 });
  });

  it('maps events, using eventTime when lastTimestamp is empty', async () => {
    api.route('GET', '/api/v1/namespaces/default/events', () => ({
      status: 200,
      body: {
        kind: 'EventList',
        items: [
          {
            metadata: { name: 'e1', namespace: 'default' },
            involvedObject: { kind: 'Node', name: 'cp-1' },
            reason: 'SecretsProgress',
            message: 'reencrypted 50 secrets',
            type: 'Normal',
            eventTime: '2025-06-01T10:00:00.000000Z',
          },
        ],
      },
    }));
    const gateway = await loadKubeGateway({ kubeconfig });
    const result = await gateway.listEvents({ namespace: 'default', fieldSelector: 'involvedObject.kind=Node' });
    expect(result).toEqual({
      ok: true,
      value: [
        {
          namespace: 'default',
          involvedObject: { kind: 'Node', name: 'cp-1' },
          reason: 'SecretsProgress',
          message: 'reencrypted 50 secrets',
          type: 'Normal',
          lastTimestamp: '2025-06-01T10:00:00.000Z',
          count: 1,
        },
      ],
    });
    expect(decodeURIComponent(api.requests.at(-1)!.url)).toContain('fieldSelector=involvedObject.kind=Node');
  });

  it('creates, reads, updates (409 on a stale version) and deletes leases', async () => {
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
    const leaseJson = (resourceVersion: string, holder: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'keyturn', namespace: 'kube-system', resourceVersion },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: 60,
        acquireTime: '2025-06-01T10:00:00.000000Z',
        renewTime: '2025-06-01T10:00:00.000000Z',
      },
    });
    api.route('POST', base, () => ({ status: 201, body: leaseJson('1', 'me') }));
    api.route('GET', `${base}/keyturn`, () => ({ status: 200, body: leaseJson('1', 'me') }));
    api.route('PUT', `${base}/keyturn`, (request) =>
      JSON.parse(request.body).metadata.resourceVersion === '1'
        ? { status: 200, body: leaseJson('2', 'me') }
        : { status: 409, body: status(409, 'Conflict', 'the object has been modified') },
    );
    api.route('DELETE', `${base}/keyturn`, () => ({ status: 200, body: status(200, '', '') }));
    const gateway = await loadKubeGateway({ kubeconfig });

    const lease = {
      name: 'keyturn',
      namespace: 'kube-system',
      holderIdentity: 'me',
      leaseDurationSeconds: 60,
      acquireTime: '2025-06-01T10:00:00.000Z',
      renewTime: '2025-06-01T10:00:00.000Z',
    };
    const created = await gateway.createLease(lease);
    expect(created).toEqual({ ok: true, value: { ...lease, resourceVersion: '1' } });
    // MicroTime goes out with six fractional digits, as the apiserver requires.
    expect(JSON.parse(api.requests.at(-1)!.body).spec.acquireTime).toBe('2025-06-01T10:00:00.000000Z');
    expect(await gateway.getLease('kube-system', 'keyturn')).toMatchObject({
      ok: true,
      value: { holderIdentity: 'me' },
    });
    expect(await gateway.updateLease({ ...lease, resourceVersion: '1' })).toMatchObject({
      ok: true,
      value: { resourceVersion: '2' },
    });
    expect(await gateway.updateLease({ ...lease, resourceVersion: '0' })).toMatchObject({
      ok: false,
      failure: { kind: 'conflict' },
    });
    expect(await gateway.deleteLease('kube-system', 'keyturn')).toEqual({ ok: true, value: undefined });
  });

  it('reports a server whose certificate comes from another CA as a tls failure', async () => {
    const otherCa = makeCa(dir, 'other-ca');
    const imposter = issue(dir, 'other-ca', 'imposter', {
      commonName: 'kube-apiserver',
      subjectAltName: 'IP:127.0.0.1',
      usage: 'server',
    });
    const impostor = await startFakeApiServer(imposter, otherCa);
    try {
      const file = path.join(dir, 'kubeconfig-imposter');
      writeFileSync(file, kubeconfigYaml({ server: impostor.url, ca, client }));
      const gateway = await loadKubeGateway({ kubeconfig: file });
      const result = await gateway.listNodes();
      expect(result).toMatchObject({ ok: false, failure: { kind: 'tls' } });
      expect(await gateway.readyz()).toMatchObject({ ok: false, failure: { kind: 'tls' } });
      expect(impostor.requests).toHaveLength(0);
    } finally {
      await impostor.close();
    }
  });

  it('reports a closed port as unreachable, quickly', async () => {
    const port = await closedPort();
    const file = path.join(dir, 'kubeconfig-closed');
    writeFileSync(file, kubeconfigYaml({ server: `https://127.0.0.1:${port}`, ca, client }));
    const gateway = await loadKubeGateway({ kubeconfig: file });
    const started = Date.now();
    const result = await gateway.listNodes();
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') },
    });
    expect(await gateway.readyz()).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives up on a server that accepts but never answers, after timeoutMs', async () => {
    const silent: NetServer = createNetServer(() => undefined); // accepts TCP, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const file = path.join(dir, 'kubeconfig-silent');
      writeFileSync(file, kubeconfigYaml({ server: `https://127.0.0.1:${port}`, ca, client }));
      const gateway = await loadKubeGateway({ kubeconfig: file, timeoutMs: 300 });
      expect(await gateway.listNodes()).toEqual({
        ok: false,
        failure: { kind: 'unreachable', detail: 'no answer within 300 ms' },
      });
      expect(await gateway.readyz()).toEqual({
        ok: false,
        failure: { kind: 'unreachable', detail: 'no answer within 300 ms' },
      });
    } finally {
      silent.close();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
