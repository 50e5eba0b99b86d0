// Failure shapes that keyturn's recovery depends on, identical in both modes: a member that cannot start, a member
// restarted alone (TCP connects, TLS waits for quorum), and a member whose peer certs nobody trusts.
import { rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEtcdCluster, type EtcdCluster } from '../../../lab/etcd/index.js';
import { haveBinaries } from '../../support/binaries.js';
import { createEtcdCas, writeNodeEtcdTls } from './pki.js';
import { curlMember, curlMetrics, eventually, makeTestLab, processesMentioning, type TestLab } from './harness.js';

const modes = [
  {
    mode: 'real' as const,
    nets: ['127.0.53', '127.0.55', '127.0.57'],
    available: haveBinaries('etcd', 'curl', 'openssl'),
  },
  { mode: 'emulated' as const, nets: ['127.0.54', '127.0.56', '127.0.58'], available: haveBinaries('curl', 'openssl') },
];

describe.each(modes)('etcd member failures ($mode)', ({ mode, nets, available }) => {
  let lab: TestLab | undefined;
  let cluster: EtcdCluster | undefined;

  const setUp = (net: string) => {
    lab = makeTestLab(mode, net, 3);
    cluster = createEtcdCluster(mode, lab.specs, {
      token: `failures-${mode}`,
      fastElection: true,
      layout: 'grpc-only-client-port',
    });
    return { lab, cluster };
  };

  afterEach(async () => {
    await cluster?.stopAll();
    if (lab) {
      expect(await processesMentioning(lab.root)).toBe('');
      rmSync(lab.root, { recursive: true, force: true });
    }
    lab = undefined;
    cluster = undefined;
  });

  it.skipIf(!available)(
    'rejects start() with the reason when a certificate file is missing, leaving nothing behind',
    async () => {
      const { lab, cluster } = setUp(nets[0]);
      const [spec] = lab.specs;
      unlinkSync(path.join(spec.tlsDir, 'peer-server-client.key'));
      await expect(cluster.member(spec.name).start()).rejects.toThrow(/peer-server-client\.key/);
      expect(cluster.member(spec.name).isRunning()).toBe(false);
      expect(await processesMentioning(spec.dataDir)).toBe('');
    },
  );

  it.skipIf(!available)('a member restarted alone accepts TCP but answers nothing until a peer joins it', async () => {
    const { lab, cluster } = setUp(nets[1]);
    await Promise.all(lab.specs.map((s) => cluster.member(s.name).start()));
    await eventually(
      'healthy',
      () => cluster.health(),
      (h) => h.healthy,
    );
    await cluster.stopAll();

    const [first, second] = lab.specs;
    await cluster.member(first.name).start();
    const hung = await curlMember(first, '/health', { timeoutSeconds: 2 });
    expect(hung.code).toBe(28); // curl: operation timed out
    const plain = await eventually(
      '2381 answers',
      () => curlMetrics(first, '/health'),
      (r) => r.code === 0,
    );
    expect(JSON.parse(plain.stdout)).toEqual({ health: 'false' });
    expect((await cluster.health()).healthy).toBe(false);

    // The waiting request completes once a second member gives the first a quorum.
    const waiting = curlMember(first, '/health', { timeoutSeconds: 20 });
    await cluster.member(second.name).start();
    const answered = await waiting;
    expect(answered.code).toBe(0);
    const health = await eventually(
      'healthy with 2 of 3',
      () => cluster.health(),
      (h) => h.healthy,
    );
    expect([first.name, second.name]).toContain(health.leader);
  });

  it.skipIf(!available)('a member with peer certs from another CA stays outside the quorum', async () => {
    const { lab, cluster } = setUp(nets[2]);
    const outsider = lab.specs[2];
    rmSync(outsider.tlsDir, { recursive: true });
    const foreignPeers = createEtcdCas(path.join(lab.root, 'foreign-ca'), 'foreign');
    writeNodeEtcdTls(lab.cas, outsider.tlsDir, outsider, foreignPeers);

    await Promise.all(lab.specs.map((s) => cluster.member(s.name).start()));
    const health = await eventually(
      'healthy without the outsider',
      () => cluster.health(),
      (h) => h.healthy,
    );
    expect(health.running).toHaveLength(3);
    expect(health.leader).not.toBe(outsider.name);
    expect(health.reason).toContain(outsider.name);
    expect((await curlMember(lab.specs[0], '/health')).stdout).toContain('true');
    expect((await curlMember(outsider, '/health', { timeoutSeconds: 2 })).code).toBe(28);
  });
});
