// The REST protocol details clients depend on, checked over plain node:https.
import { statSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { haveBinaries } from '../../support/binaries.js';
import { FakeBackend, labNode, splitCluster } from './support/fake-backend.js';
import { startHarness, type Harness } from './support/harness.js';
import { openWatch } from './support/watch-client.js';

const ok = haveBinaries('openssl');
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

describe.skipIf(!ok)('lab API server protocol', () => {
  let backend: FakeBackend;
  let api: Harness;

  beforeAll(async () => {
    backend = new FakeBackend(splitCluster());
    backend.secrets = 1000;
    api = await startHarness(backend);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('writes a 0600 kubeconfig with embedded, base64 credentials and a current context', () => {
    expect(statSync(api.kubeconfig).mode & 0o777).toBe(0o600);
    const config = YAML.parse(readFileSync(api.kubeconfig, 'utf8'));
    expect(config['current-context']).toBe('keyturn-lab');
    expect(config.contexts[0]).toEqual({
      name: 'keyturn-lab',
      context: { cluster: 'keyturn-lab', user: 'keyturn-lab' },
    });
    expect(config.clusters[0].cluster.server).toBe(api.handle.url);
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    expect(decode(config.clusters[0].cluster['certificate-authority-data'])).toBe(api.tls.caPem);
    expect(decode(config.users[0].user['client-certificate-data'])).toBe(api.tls.clientCertPem);
    expect(decode(config.users[0].user['client-key-data'])).toBe(api.tls.clientKeyPem);
  });

  it('answers a client without a certificate 401 Unauthorized over a completed handshake, as kube-apiserver does (auth.test.ts)', async () => {
    const answer = await api.request('GET', '/api/v1/nodes', { clientCert: false });
    expect(answer.status).toBe(401);
    expect(answer.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('answers unknown and malformed paths with a NotFound Status instead of failing', async () => {
    for (const path of ['/api/v1/%zz', '//api/v1/nodes/x', '/apis/apps/v1', '/api/v1/nodes/cp-1/proxy']) {
      const answer = await api.request('GET', path);
      expect(answer.status).toBe(404);
      expect(answer.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    }
  });

  it('serves legacy discovery documents', async () => {
    const core = (await api.request('GET', '/api/v1')).json();
    expect(core.kind).toBe('APIResourceList');
    expect(core.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['nodes', 'events', 'secrets', 'namespaces']),
    );
    const groups = (await api.request('GET', '/apis')).json();
    expect(groups.groups[0].preferredVersion.groupVersion).toBe('coordination.k8s.io/v1');
    const leases = (await api.request('GET', '/apis/coordination.k8s.io/v1')).json();
    expect(leases.resources[0]).toMatchObject({ name: 'leases', kind: 'Lease', namespaced: true });
  });

  it('creates, updates and deletes a lease with resourceVersion optimistic concurrency', async () => {
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'keyturn-run' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 30 },
    };
    const created = await api.request('POST', base, { body });
    expect(created.status).toBe(201);
    const lease = created.json();
    expect((await api.request('POST', base, { body })).json()).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      code: 409,
    });

    const renewed = { ...lease, spec: { ...lease.spec, holderIdentity: 'me-again' } };
    const updated = await api.request('PUT', `${base}/keyturn-run`, { body: renewed });
    expect(updated.status).toBe(200);
    expect(updated.json().spec.holderIdentity).toBe('me-again');
    expect(Number(updated.json().metadata.resourceVersion)).toBeGreaterThan(Number(lease.metadata.resourceVersion));

    // Writing with the version read before the update loses.
    const stale = await api.request('PUT', `${base}/keyturn-run`, {
      body: { ...lease, spec: { holderIdentity: 'someone-else' } },
    });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(stale.json().message).toContain('the object has been modified');
    expect((await api.request('GET', `${base}/keyturn-run`)).json().spec.holderIdentity).toBe('me-again');

    const deleted = await api.request('DELETE', `${base}/keyturn-run`);
    expect(deleted.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const gone = await api.request('GET', `${base}/keyturn-run`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toMatchObject({
      reason: 'NotFound',
      message: 'leases.coordination.k8s.io "keyturn-run" not found',
    });
  });

  it('counts secrets cheaply with limit=1 and remainingItemCount, and pages through them', async () => {
    const first = (await api.request('GET', '/api/v1/secrets?limit=1')).json();
    expect(first.items).toHaveLength(1);
    expect(first.items[0].data).toBeUndefined();
    expect(first.items.length + first.metadata.remainingItemCount).toBe(1000);
    const namespaces = new Set<string>();
    let total = 0;
    let token = '';
    do {
      const page = (await api.request('GET', `/api/v1/secrets?limit=300${token ? `&continue=${token}` : ''}`)).json();
      total += page.items.length;
      page.items.forEach((s: { metadata: { namespace: string } }) => namespaces.add(s.metadata.namespace));
      token = page.metadata.continue ?? '';
    } while (token);
    expect(total).toBe(1000);
    expect(namespaces.size).toBeGreaterThan(1);
    const inKubeSystem = (await api.request('GET', '/api/v1/namespaces/kube-system/secrets')).json().items;
    expect(inKubeSystem.length).toBeGreaterThan(0);
    expect(inKubeSystem.every((s: { metadata: { namespace: string } }) => s.metadata.namespace === 'kube-system')).toBe(
      true,
    );
  });

  it('prints Tables with PartialObjectMetadata rows when asked', async () => {
    const table = (
      await api.request('GET', '/api/v1/nodes?includeObject=Metadata', { headers: { Accept: TABLE } })
    ).json();
    expect(table.kind).toBe('Table');
    expect(
      table.columnDefinitions
        .filter((c: { priority: number }) => c.priority === 0)
        .map((c: { name: string }) => c.name),
    ).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version']);
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' });
    expect(table.rows[0].object.metadata.labels['kubernetes.io/os']).toBe('linux');
  });

  it('streams node watch events, replays from a resourceVersion, and ends at timeoutSeconds', async () => {
    const list = (await api.request('GET', '/api/v1/nodes')).json();
    const fromNow = await openWatch(api, `/api/v1/nodes?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    expect(fromNow.status).toBe(200);
    backend.update('cp-2', { encryptionHash: 'prepare-ff' });
    const modified = await fromNow.next();
    expect(modified.type).toBe('MODIFIED');
    expect(modified.object.metadata.annotations['rke2.io/encryption-config-hash']).toBe('prepare-ff');
    backend.nodeViews = [...backend.nodeViews, labNode('worker-3', 8, ['worker'])];
    backend.changed();
    expect(await fromNow.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'worker-3' } } });
    backend.nodeViews = backend.nodeViews.filter((n) => n.name !== 'worker-3');
    backend.changed();
    expect(await fromNow.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'worker-3' } } });
    fromNow.close();

    // A later watch from the old version replays the same three changes, then ends when its time is up.
    const replay = await openWatch(
      api,
      `/api/v1/nodes?watch=true&timeoutSeconds=1&resourceVersion=${list.metadata.resourceVersion}`,
    );
    const types = [await replay.next(), await replay.next(), await replay.next()].map(
      (e) => `${e.type} ${e.object.metadata.name}`,
    );
    expect(types).toEqual(['MODIFIED cp-2', 'ADDED worker-3', 'DELETED worker-3']);
    await replay.ended;

    const filtered = await openWatch(
      api,
      '/api/v1/nodes?watch=true&fieldSelector=metadata.name%3Detcd-1&timeoutSeconds=5',
    );
    expect(await filtered.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'etcd-1' } } });
    backend.update('etcd-1', { etcdVoter: false });
    const voter = await filtered.next();
    expect(voter.type).toBe('MODIFIED');
    expect(voter.object.status.conditions.find((c: { type: string }) => c.type === 'EtcdIsVoter').status).toBe('False');
    filtered.close();
  });

  it('answers 503 Status with the reason while unavailable, and readyz names the failing etcd check', async () => {
    backend.unavailable = 'etcd has no quorum (lab)';
    backend.changed();
    try {
      const nodes = await api.request('GET', '/api/v1/nodes');
      expect(nodes.status).toBe(503);
      expect(nodes.json()).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'ServiceUnavailable',
        code: 503,
      });
      expect(nodes.json().message).toContain('etcd has no quorum (lab)');
      const leases = await api.request('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
        body: { metadata: { name: 'x' } },
      });
      expect(leases.status).toBe(503);
      const readyz = await api.request('GET', '/readyz');
      expect(readyz.status).toBe(503);
      expect(readyz.text).toContain('[-]etcd failed: reason withheld\n');
      expect(readyz.text).toMatch(/readyz check failed\n$/);
      expect((await api.request('GET', '/livez')).text).toBe('ok');
    } finally {
      backend.unavailable = null;
      backend.changed();
    }
    const readyz = await api.request('GET', '/readyz?verbose');
    expect(readyz.status).toBe(200);
    expect(readyz.text).toContain('[+]etcd ok');
  });

  it('ends watches when the apiserver becomes unavailable, and releases their subscriptions', async () => {
    const baseline = backend.listenerCount;
    const watch = await openWatch(api, '/api/v1/nodes?watch=true');
    await watch.next();
    expect(backend.listenerCount).toBe(baseline + 1);
    backend.unavailable = 'stopping';
    backend.changed();
    try {
      await watch.ended;
    } finally {
      backend.unavailable = null;
      backend.changed();
    }
    expect(backend.listenerCount).toBe(baseline);
  });

  it('answers an expired resourceVersion with a 410 ERROR event, and refuses watches it cannot serve', async () => {
    const expired = await openWatch(api, '/api/v1/nodes?watch=true&resourceVersion=1');
    expect(await expired.next()).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    await expired.ended;
    const leases = await api.request('GET', '/apis/coordination.k8s.io/v1/leases?watch=true');
    expect(leases.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed', code: 405 });
  });

  it('close() ends open watches instead of waiting for them', async () => {
    const own = await startHarness(new FakeBackend(splitCluster()));
    const watch = await openWatch(own, '/api/v1/nodes?watch=true');
    await watch.next();
    await own.close();
    await watch.ended;
  });

  // Its speed is measured by the lab benchmarks (npm run bench), not asserted here.
  it('lists 200 nodes as JSON and as a table', async () => {
    const big = new FakeBackend(
      Array.from({ length: 200 }, (_, i) =>
        labNode(`node-${i}`, (i % 250) + 1, i < 3 ? ['etcd'] : i < 5 ? ['control-plane'] : ['worker']),
      ),
    );
    const large = await startHarness(big);
    try {
      for (const accept of ['application/json', TABLE]) {
        const answer = await large.request('GET', '/api/v1/nodes', { headers: { Accept: accept } });
        expect(answer.status).toBe(200);
        const body = answer.json() as { items?: unknown[]; rows?: unknown[] };
        expect((body.items ?? body.rows)?.length).toBe(200);
      }
    } finally {
      await large.close();
    }
  });
});
