// The lab API server against the real kubectl: what an operator (and keyturn's kube gateway) will actually run.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries } from '../../support/binaries.js';
import { FakeBackend, splitCluster } from './support/fake-backend.js';
import { startHarness, type Harness } from './support/harness.js';

const ok = haveBinaries('kubectl', 'openssl');

/** Splits a kubectl table into rows of cells (columns are separated by two or more spaces). */
function rows(output: string): string[][] {
  return output
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe.skipIf(!ok)('lab API server with the real kubectl', () => {
  let backend: FakeBackend;
  let api: Harness;

  beforeAll(async () => {
    backend = new FakeBackend(splitCluster());
    backend.secrets = 30;
    backend.eventViews = [
      {
        node: 'cp-1',
        reason: 'SecretsProgress',
        message: 'reencrypted 50 secrets',
        type: 'Normal',
        time: new Date().toISOString(),
      },
      {
        node: 'cp-2',
        reason: 'SecretsUpdateError',
        message: 'secret-encrypt error ID 64661',
        type: 'Warning',
        time: new Date().toISOString(),
      },
    ];
    api = await startHarness(backend);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('get nodes -o wide prints the real columns and roles', async () => {
    const result = await api.kubectl('get', 'nodes', '-o', 'wide');
    expect(result.stderr).toBe('');
    const [header, ...body] = rows(result.stdout);
    expect(header).toEqual([
      'NAME',
      'STATUS',
      'ROLES',
      'AGE',
      'VERSION',
      'INTERNAL-IP',
      'EXTERNAL-IP',
      'OS-IMAGE',
      'KERNEL-VERSION',
      'CONTAINER-RUNTIME',
    ]);
    const byName = new Map(body.map((cells) => [cells[0], cells]));
    expect([...byName.keys()].sort()).toEqual(['cp-1', 'cp-2', 'etcd-1', 'etcd-2', 'etcd-3', 'worker-1', 'worker-2']);
    expect(byName.get('etcd-1')?.slice(1, 3)).toEqual(['Ready', 'etcd']);
    expect(byName.get('cp-2')?.[2]).toBe('control-plane,master');
    expect(byName.get('worker-1')?.[2]).toBe('<none>');
    expect(byName.get('cp-1')?.[4]).toBe('v1.32.5+rke2r1');
    expect(byName.get('worker-2')?.[5]).toBe('127.0.10.7');
    expect(byName.get('worker-2')?.[9]).toBe('containerd://1.7.27-k3s1');
  });

  it('get node -o json returns the Node with labels, annotations, address and conditions', async () => {
    const result = await api.kubectl('get', 'node', 'cp-1', '-o', 'json');
    expect(result.code).toBe(0);
    const node = JSON.parse(result.stdout);
    expect(node.kind).toBe('Node');
    expect(node.metadata.labels['node-role.kubernetes.io/control-plane']).toBe('true');
    expect(node.metadata.annotations['rke2.io/encryption-config-hash']).toMatch(/^start-[0-9a-f]{64}$/);
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.10.4' });
    expect(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    const etcd = JSON.parse((await api.kubectl('get', 'node', 'etcd-3', '-o', 'json')).stdout);
    expect(etcd.status.conditions.find((c: { type: string }) => c.type === 'EtcdIsVoter').reason).toBe(
      'MemberNotLearner',
    );
  });

  it('answers /readyz and /version', async () => {
    expect((await api.kubectl('get', '--raw', '/readyz')).stdout).toBe('ok');
    const version = await api.kubectl('version', '-o', 'json');
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toBe('v1.32.5+rke2r1');
  });

  it('lists node events across namespaces and filters them by field', async () => {
    const all = await api.kubectl('get', 'events', '-A');
    const [header, ...body] = rows(all.stdout);
    expect(header).toEqual(['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(body).toContainEqual([
      'default',
      expect.any(String),
      'Normal',
      'SecretsProgress',
      'node/cp-1',
      'reencrypted 50 secrets',
    ]);
    expect(body).toHaveLength(2);
    const filtered = await api.kubectl(
      'get',
      'events',
      '-n',
      'default',
      '--field-selector',
      'reason=SecretsUpdateError',
      '-o',
      'json',
    );
    const items = JSON.parse(filtered.stdout).items;
    expect(items.map((e: { involvedObject: { name: string } }) => e.involvedObject.name)).toEqual(['cp-2']);
  });

  it('lists the seeded leader leases in kube-system', async () => {
    const result = await api.kubectl('get', 'lease', '-n', 'kube-system');
    const [header, ...body] = rows(result.stdout);
    expect(header).toEqual(['NAME', 'HOLDER', 'AGE']);
    const holders = new Map(body.map((cells) => [cells[0], cells[1]]));
    expect(holders.get('kube-controller-manager')).toMatch(/^cp-1_/);
    expect(holders.get('kube-scheduler')).toMatch(/^cp-1_/);
    expect(holders.get('rke2-etcd')).toBe('etcd-1');
  });

  it('counts secrets and lists namespaces', async () => {
    const secrets = await api.kubectl('get', 'secrets', '-A', '--chunk-size=7', '-o', 'name');
    expect(secrets.stdout.trim().split('\n')).toHaveLength(30);
    const namespaces = rows((await api.kubectl('get', 'namespaces')).stdout)
      .slice(1)
      .map((cells) => cells[0]);
    expect(namespaces).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('annotate node stores the annotation, tells the backend, and later gets show it', async () => {
    const before = JSON.parse((await api.kubectl('get', 'node', 'worker-1', '-o', 'json')).stdout).metadata
      .resourceVersion;
    const annotate = await api.kubectl('annotate', 'node', 'worker-1', 'keyturn.io/step=drained');
    expect(annotate.stdout).toContain('node/worker-1 annotated');
    expect(backend.patches).toContainEqual({ name: 'worker-1', annotations: { 'keyturn.io/step': 'drained' } });
    const after = JSON.parse((await api.kubectl('get', 'node', 'worker-1', '-o', 'json')).stdout).metadata;
    expect(after.annotations['keyturn.io/step']).toBe('drained');
    expect(Number(after.resourceVersion)).toBeGreaterThan(Number(before));
    await api.kubectl('annotate', 'node', 'worker-1', 'keyturn.io/step-');
    const removed = JSON.parse((await api.kubectl('get', 'node', 'worker-1', '-o', 'json')).stdout).metadata;
    expect(removed.annotations['keyturn.io/step']).toBeUndefined();
    const missing = await api.kubectl('annotate', 'node', 'nope', 'a=b');
    expect(missing.stderr).toContain('nodes "nope" not found');
  });

  it('label node changes ROLES and label selectors see it', async () => {
    await api.kubectl('label', 'node', 'worker-2', 'node-role.kubernetes.io/worker=true');
    const selected = rows((await api.kubectl('get', 'nodes', '-l', 'node-role.kubernetes.io/worker')).stdout);
    expect(selected.slice(1).map((cells) => [cells[0], cells[2]])).toEqual([['worker-2', 'worker']]);
    const byField = rows((await api.kubectl('get', 'nodes', '--field-selector', 'metadata.name=etcd-2')).stdout);
    expect(byField.slice(1).map((cells) => cells[0])).toEqual(['etcd-2']);
  });

  it('get nodes --watch receives a change made in the backend', async () => {
    const child = spawn('kubectl', [
      '--kubeconfig',
      api.kubeconfig,
      '--cache-dir',
      `${api.dir}/kube-cache`,
      'get',
      'nodes',
      '--watch',
      '--output-watch-events',
    ]);
    let output = '';
    const waitFor = (pattern: RegExp, what: string) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no ${what} within 15s; got:\n${output}`)), 15_000);
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(deadline);
          child.stdout.off('data', onData);
          resolve();
        };
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          check();
        };
        child.stdout.on('data', onData);
        check();
      });
    try {
      await waitFor(/ADDED\s+worker-2\b/, 'initial listing');
      backend.update('etcd-2', { ready: false });
      await waitFor(/MODIFIED\s+etcd-2\s+NotReady\s+etcd/, 'MODIFIED event');
    } finally {
      child.kill();
      backend.update('etcd-2', { ready: true });
    }
  });

  it('fails with the reason when no control-plane server is up, and recovers', async () => {
    backend.unavailable = 'no control-plane server is up (lab)';
    backend.changed();
    try {
      // A fresh discovery cache, as on a workstation that never talked to this cluster.
      const result = await api.kubectl('--cache-dir', `${api.dir}/cold-cache`, 'get', 'nodes');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Error from server (ServiceUnavailable)');
      expect(result.stderr).toContain('no control-plane server is up (lab)');
      const ready = await api.kubectl('get', '--raw', '/readyz?verbose');
      expect(ready.code).not.toBe(0);
    } finally {
      backend.unavailable = null;
      backend.changed();
    }
    expect((await api.kubectl('get', 'nodes', '-o', 'name')).stdout).toContain('node/cp-1');
  });
});
