// @kubernetes/client-node (what keyturn's kube gateway uses) against the lab API server, via the kubeconfig file.
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../../support/binaries.js';
import { FakeBackend, splitCluster } from './support/fake-backend.js';
import { startHarness, type Harness } from './support/harness.js';

const ok = haveBinaries('openssl');

describe.skipIf(!ok)('lab API server with @kubernetes/client-node', () => {
  let backend: FakeBackend;
  let api: Harness;
  let kc: KubeConfig;

  beforeAll(async () => {
    backend = new FakeBackend(splitCluster());
    api = await startHarness(backend);
    kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfig);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists nodes with typed conditions and labels', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNode({});
    expect(list.items.map((n) => n.metadata?.name).sort()).toEqual([
      'cp-1',
      'cp-2',
      'etcd-1',
      'etcd-2',
      'etcd-3',
      'worker-1',
      'worker-2',
    ]);
    const etcd = list.items.find((n) => n.metadata?.name === 'etcd-2');
    expect(etcd?.metadata?.labels?.['node-role.kubernetes.io/etcd']).toBe('true');
    expect(etcd?.status?.nodeInfo?.kubeletVersion).toBe('v1.32.5+rke2r1');
    expect(etcd?.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const selected = await core.listNode({ labelSelector: 'node-role.kubernetes.io/control-plane=true' });
    expect(selected.items.map((n) => n.metadata?.name)).toEqual(['cp-1', 'cp-2']);
  });

  it('creates a lease and reads the conflict of a stale replace as a 409', async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const created = await coordination.createNamespacedLease({
      namespace: 'default',
      body: {
        metadata: { name: 'keyturn-lock' },
        spec: { holderIdentity: 'keyturn', leaseDurationSeconds: 60, renewTime: new Date() },
      },
    });
    expect(created.metadata?.uid).toBeTruthy();
    // client-node passes MicroTime through as the server's string: six fractional digits, like a real apiserver.
    expect(String(created.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const read = await coordination.readNamespacedLease({ name: 'keyturn-lock', namespace: 'default' });
    expect(read.spec?.holderIdentity).toBe('keyturn');
    await coordination.replaceNamespacedLease({
      name: 'keyturn-lock',
      namespace: 'default',
      body: { ...read, spec: { ...read.spec, holderIdentity: 'a' } },
    });
    const stale = coordination.replaceNamespacedLease({
      name: 'keyturn-lock',
      namespace: 'default',
      body: { ...read, spec: { ...read.spec, holderIdentity: 'b' } },
    });
    await expect(stale).rejects.toMatchObject({ code: 409 });
  });
});
