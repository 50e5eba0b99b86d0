import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readApi } from '../../src/discovery/api-view.js';
import { discoverCluster } from '../../src/discovery/discover.js';
import { createLimiter } from '../../src/discovery/pool.js';
import { prefetchScans } from '../../src/discovery/prefetch.js';
import type { InventoryNode } from '../../src/model/inventory.js';
import type { ApiResult, KubeGateway, KubeNode, NodeShell } from '../../src/transports/types.js';
import { createNodeShell } from '../../src/transports/node-shell.js';
import { buildFakeNode, etcdAnswers, makeCaSet } from './support/fake-node.js';

const now = new Date('2025-06-01T00:00:00Z');
const VERSION = 'v1.32.5+rke2r1';

function kubeNode(name: string, ip: string, labels: Record<string, string>): KubeNode {
  return {
    name,
    labels,
    annotations: {},
    internalIP: ip,
    kubeletVersion: VERSION,
    providerID: `rke2://${name}`,
    conditions: [{ type: 'Ready', status: 'True' }],
  };
}

function gateway(nodes: KubeNode[] | null): KubeGateway {
  const down = { ok: false as const, failure: { kind: 'unavailable' as const, status: 503, detail: 'etcd down' } };
  const no = async (): Promise<ApiResult<never>> => ({
    ok: false,
    failure: { kind: 'error', status: null, detail: 'unused' },
  });
  return {
    server: 'https://10.0.0.1:6443',
    readyz: async () => (nodes ? { ok: true, value: 'ok' } : down),
    listNodes: async () => (nodes ? { ok: true, value: nodes } : down),
    getNode: no,
    patchNodeAnnotations: no,
    listEvents: no,
    countSecrets: no,
    getLease: no,
    createLease: no,
    updateLease: no,
    deleteLease: no,
  };
}

const unreachable = (n: InventoryNode): NodeShell => ({
  node: n.name,
  run: async (script) => ({
    node: n.name,
    script,
    outcome: 'connection',
    code: 255,
    stdout: '',
    stderr: `ssh: connect to host ${n.address} port 22: No route to host`,
    durationMs: 1,
  }),
  follow: async () => {
    throw new Error('unused');
  },
  dispose: async () => undefined,
});

describe('discoverCluster', () => {
  let inventory: InventoryNode[];
  beforeAll(async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'keyturn-discover-'));
    const cas = await makeCaSet(now);
    const member = { id: '11', name: 'srv-1-aaaa', address: '127.0.0.1' };
    inventory = [
      await buildFakeNode(root, {
        name: 'srv-1',
        address: '127.0.0.1',
        distro: 'rke2',
        roles: ['etcd', 'control-plane'],
        now,
        cas,
        encryption: { stage: 'start' },
        curl: etcdAnswers(member, [member], '11'),
      }),
      await buildFakeNode(root, { name: 'w-1', address: '127.0.0.2', distro: 'rke2', roles: ['worker'], now, cas }),
    ];
  });

  const shellFor = (seen: string[]) => (n: InventoryNode) => {
    seen.push(`${n.name} ${n.transport} ${n.address}`);
    return n.transport === 'local' ? createNodeShell(n, { controlDir: os.tmpdir() }) : unreachable(n);
  };

  it('merges the API view with the inventory; API-only nodes are reached over ssh at their InternalIP', async () => {
    const seen: string[] = [];
    const report = await discoverCluster({
      gateway: gateway([
        kubeNode('srv-1', '127.0.0.1', {
          'node-role.kubernetes.io/etcd': 'true',
          'node-role.kubernetes.io/control-plane': 'true',
          'node-role.kubernetes.io/master': 'true',
        }),
        kubeNode('w-1', '127.0.0.2', {}),
        kubeNode('w-2', '10.9.9.9', {}),
      ]),
      inventory: { nodes: inventory },
      remembered: null,
      shellFor: shellFor(seen),
      now,
    });
    expect(seen.sort()).toEqual(['srv-1 local 127.0.0.1', 'w-1 local 127.0.0.2', 'w-2 ssh 10.9.9.9']);
    expect(report.cluster).toEqual({ distro: 'rke2', version: VERSION, apiReachable: true, source: 'api' });
    expect(report.nodes.map((n) => [n.name, n.roles, n.reachable, n.ready])).toEqual([
      ['srv-1', ['etcd', 'control-plane'], true, true],
      ['w-1', ['worker'], true, true],
      ['w-2', ['worker'], false, true],
    ]);
    const srv = report.nodes[0];
    expect(srv.service).toEqual({ unit: 'rke2-server', state: 'active', subState: 'running', restarts: 0 });
    // The data dir the scan used travels with the node, for the plan; an unreached node has none.
    expect(srv.dataDir).toBe(inventory[0].dataDir);
    expect(report.nodes[2].dataDir).toBeUndefined();
    expect(srv.etcd).toEqual({ member: 'srv-1-aaaa', healthy: true, isLeader: true, error: null });
    expect(srv.caFingerprints['server-ca']).toBe(report.nodes[1].caFingerprints['server-ca']);
    expect(Object.keys(srv.caFingerprints).sort()).toEqual([
      'client-ca',
      'etcd-peer-ca',
      'etcd-server-ca',
      'request-header-ca',
      'server-ca',
    ]);
    const nodesCheck = report.checks.find((c) => c.id === 'nodes')!;
    expect(nodesCheck).toMatchObject({ status: 'fail', detail: expect.stringContaining('w-2 (10.9.9.9)') });
    expect(nodesCheck.detail).toContain('No route to host');
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['nodes']);
  });

  it('falls back to the inventory, then to the remembered list, when the API cannot be read', async () => {
    const fromInventory = await discoverCluster({
      gateway: gateway(null),
      inventory: { nodes: inventory },
      remembered: null,
      shellFor: shellFor([]),
      now,
    });
    expect(fromInventory.cluster).toMatchObject({
      source: 'inventory',
      apiReachable: false,
      distro: 'rke2',
      version: '',
    });
    expect(fromInventory.nodes.map((n) => [n.name, n.reachable, n.ready])).toEqual([
      ['srv-1', true, null],
      ['w-1', true, null],
    ]);
    expect(fromInventory.checks.find((c) => c.id === 'api')?.status).toBe('fail');

    const fromMemory = await discoverCluster({
      gateway: gateway(null),
      inventory: null,
      remembered: { nodes: inventory.slice(1) },
      shellFor: shellFor([]),
      now,
    });
    expect(fromMemory.cluster.source).toBe('remembered');
    expect(fromMemory.nodes.map((n) => n.name)).toEqual(['w-1']);
  });

  it("takes the API's answer asked for before discovery instead of asking again", async () => {
    const gw = gateway([
      kubeNode('srv-1', '127.0.0.1', {
        'node-role.kubernetes.io/etcd': 'true',
        'node-role.kubernetes.io/control-plane': 'true',
      }),
    ]);
    const asked: string[] = [];
    const counted: KubeGateway = {
      ...gw,
      readyz: () => (asked.push('readyz'), gw.readyz()),
      listNodes: () => (asked.push('nodes'), gw.listNodes()),
    };
    const api = readApi(counted);
    const report = await discoverCluster({
      gateway: counted,
      api,
      inventory: { nodes: inventory },
      remembered: null,
      shellFor: shellFor([]),
      now,
    });
    expect(asked).toEqual(['readyz', 'nodes']);
    expect(report.cluster).toMatchObject({ source: 'api', apiReachable: true });
    expect(report.nodes.map((n) => n.name)).toEqual(['srv-1', 'w-1']);
    // Without one, discovery asks itself.
    await discoverCluster({
      gateway: counted,
      inventory: { nodes: inventory },
      remembered: null,
      shellFor: shellFor([]),
      now,
    });
    expect(asked).toEqual(['readyz', 'nodes', 'readyz', 'nodes']);
  });

  describe('scans prefetched from the inventory while the API is read', () => {
    const counting =
      (runs: string[]) =>
      (n: InventoryNode): NodeShell => {
        const shell = createNodeShell(n, { controlDir: os.tmpdir() });
        return {
          ...shell,
          node: shell.node,
          run: (script, o) => (runs.push(n.name), shell.run(script, o)),
          follow: (c, o) => shell.follow(c, o),
          dispose: () => shell.dispose(),
        };
      };
    const apiNodes = (workerLabels: Record<string, string>) => [
      kubeNode('srv-1', '127.0.0.1', {
        'node-role.kubernetes.io/etcd': 'true',
        'node-role.kubernetes.io/control-plane': 'true',
      }),
      kubeNode('w-1', '127.0.0.2', workerLabels),
    ];

    it('uses a prefetched scan when the API gives the node the same plan: one round trip per node', async () => {
      const runs: string[] = [];
      const limiter = createLimiter(32);
      const prefetch = prefetchScans({ nodes: inventory }, { shellFor: counting(runs), limiter });
      const report = await discoverCluster({
        gateway: gateway(apiNodes({})),
        inventory: { nodes: inventory },
        remembered: null,
        shellFor: counting(runs),
        limiter,
        prefetch,
        now,
      });
      expect(runs.sort()).toEqual(['srv-1', 'w-1']);
      expect(report.nodes.map((n) => [n.name, n.reachable, n.version])).toEqual([
        ['srv-1', true, VERSION],
        ['w-1', true, VERSION],
      ]);
      expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    });

    it('scans again when the API disagrees with the inventory (the API decides)', async () => {
      const runs: string[] = [];
      const limiter = createLimiter(32);
      const prefetch = prefetchScans({ nodes: inventory }, { shellFor: counting(runs), limiter });
      // The API says w-1 is also a control-plane server: its scan must read the server's files too.
      const report = await discoverCluster({
        gateway: gateway(apiNodes({ 'node-role.kubernetes.io/control-plane': 'true' })),
        inventory: { nodes: inventory },
        remembered: null,
        shellFor: counting(runs),
        limiter,
        prefetch,
        now,
      });
      expect(runs.sort()).toEqual(['srv-1', 'w-1', 'w-1']);
      expect(report.nodes.find((n) => n.name === 'w-1')!.roles).toEqual(['control-plane']);
    });

    it('dozens of prefetched scans on one abort signal raise no process warning (it would land on the screen)', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        const many = Array.from({ length: 14 }, (_, i) => ({
          ...inventory[1],
          name: `w-${i + 1}`,
          address: `127.0.0.${i + 2}`,
        }));
        const limiter = createLimiter(32);
        const runs: string[] = [];
        const prefetch = prefetchScans({ nodes: many }, { shellFor: counting(runs), limiter });
        const report = await discoverCluster({
          gateway: gateway(null),
          inventory: { nodes: many },
          remembered: null,
          shellFor: counting(runs),
          limiter,
          prefetch,
          now,
        });
        expect(report.nodes).toHaveLength(14);
        expect(runs).toHaveLength(14);
        await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
        expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('a prefetch nobody took is cancelled: queued scans never start', async () => {
      const runs: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const limiter = createLimiter(1);
      const busy = limiter(() => gate); // holds the only slot, so both prefetched scans queue
      const prefetch = prefetchScans({ nodes: inventory }, { shellFor: counting(runs), limiter });
      prefetch.cancel();
      release();
      await busy;
      await limiter(async () => undefined); // every queued task has had its turn
      expect(runs).toEqual([]);
      expect(prefetch.take('anything')).toBeUndefined();
    });
  });
});
