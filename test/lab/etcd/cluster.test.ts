// The same observable behaviour from real etcd 3.4 and the emulation: quorum, leader, member list, TLS trust.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdCluster, type EtcdCluster } from '../../../lab/etcd/index.js';
import { canConnect } from '../../../lab/etcd/wait-for-port.js';
import { haveBinaries } from '../../support/binaries.js';
import { createEtcdCas, writeNodeEtcdTls } from './pki.js';
import {
  curl,
  curlMember,
  curlMetrics,
  eventually,
  makeTestLab,
  onLoopback,
  processesMentioning,
  type TestLab,
} from './harness.js';

const modes = [
  { mode: 'real' as const, net: '127.0.51', available: haveBinaries('etcd', 'curl', 'openssl') },
  { mode: 'emulated' as const, net: '127.0.52', available: haveBinaries('curl', 'openssl') },
];

describe.each(modes)('etcd cluster ($mode)', ({ mode, net, available }) => {
  let lab: TestLab;
  let cluster: EtcdCluster;

  beforeAll(() => {
    if (!available) return;
    lab = makeTestLab(mode, net, 3);
    cluster = createEtcdCluster(mode, lab.specs, {
      token: `test-${mode}`,
      fastElection: true,
      layout: 'grpc-only-client-port',
    });
  });

  afterAll(async () => {
    if (!available) return;
    await cluster.stopAll();
    rmSync(lab.root, { recursive: true, force: true });
  });

  it.skipIf(!available)('starts 3 members that elect a leader and answer over TLS', async () => {
    const started = Date.now();
    await Promise.all(lab.specs.map((s) => cluster.member(s.name).start()));
    expect(lab.specs.every((s) => cluster.member(s.name).isRunning())).toBe(true);
    const health = await eventually(
      'cluster healthy',
      () => cluster.health(),
      (h) => h.healthy,
    );
    console.info(`[${mode}] 3 members healthy ${Date.now() - started} ms after start()`);
    expect(health.running).toEqual(lab.specs.map((s) => s.name));
    expect(lab.specs.map((s) => s.name)).toContain(health.leader);

    const first = lab.specs[0];
    const healthReply = await curlMember(first, '/health');
    expect(healthReply.code).toBe(0);
    expect(JSON.parse(healthReply.stdout)).toEqual({ health: 'true' });

    const list = JSON.parse((await curlMember(first, '/v3/cluster/member/list', { post: true })).stdout);
    expect(list.header.cluster_id).toMatch(/^\d+$/);
    expect(list.members).toHaveLength(3);
    const ids: string[] = list.members.map((m: { ID: string }) => m.ID);
    for (const id of ids) expect(id).toMatch(/^\d+$/);
    expect(list.members.map((m: { name: string }) => m.name).sort()).toEqual(lab.specs.map((s) => s.name).sort());
    const third = list.members.find((m: { name: string }) => m.name === lab.specs[2].name);
    expect(third.peerURLs).toEqual([`https://${lab.specs[2].address}:2380`]);
    expect(third.clientURLs).toEqual([`https://${lab.specs[2].address}:2379`]);

    const status = JSON.parse((await curlMember(first, '/v3/maintenance/status', { post: true })).stdout);
    expect(status.version).toMatch(/^3\.4\./);
    expect(ids).toContain(status.leader);
    expect(list.members.find((m: { ID: string }) => m.ID === status.leader).name).toBe(health.leader);
    expect(status.errors).toBeUndefined();
    // Field order and types as real etcd 3.4.23's grpc-gateway writes them.
    expect(Object.keys(list.header)).toEqual(['cluster_id', 'member_id', 'raft_term']);
    expect(Object.keys(status.header)).toEqual(['cluster_id', 'member_id', 'revision', 'raft_term']);
    expect(Object.keys(status)).toEqual([
      'header',
      'version',
      'dbSize',
      'leader',
      'raftIndex',
      'raftTerm',
      'raftAppliedIndex',
      'dbSizeInUse',
    ]);
    for (const key of ['dbSize', 'raftIndex', 'raftTerm', 'raftAppliedIndex', 'dbSizeInUse'])
      expect(status[key]).toMatch(/^\d+$/);
    expect(ids).toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
  });

  it.skipIf(!available)('loses quorum when 2 of 3 stop, and the survivor says so', async () => {
    const [survivor, ...others] = lab.specs;
    await Promise.all(others.map((s) => cluster.member(s.name).stop()));
    expect(others.some((s) => cluster.member(s.name).isRunning())).toBe(false);

    const health = await eventually(
      'cluster unhealthy',
      () => cluster.health(),
      (h) => !h.healthy,
    );
    expect(health.leader).toBeNull();
    expect(health.running).toEqual([survivor.name]);

    const reply = await eventually(
      'survivor /health false',
      () => curlMember(survivor, '/health'),
      (r) => r.stdout.includes('false'),
    );
    expect(JSON.parse(reply.stdout)).toEqual({ health: 'false' });
    const metricsHealth = await eventually(
      '2381 /health false',
      () => curlMetrics(survivor, '/health'),
      (r) => r.stdout.includes('false'),
    );
    expect(JSON.parse(metricsHealth.stdout)).toEqual({ health: 'false' });

    // etcd 3.4 still answers status without quorum: no leader field, an error instead.
    const status = JSON.parse((await curlMember(survivor, '/v3/maintenance/status', { post: true })).stdout);
    expect(status.leader).toBeUndefined();
    expect(status.errors).toEqual(['etcdserver: no leader']);
  });

  it.skipIf(!available)('regains quorum when the stopped members restart', async () => {
    await Promise.all(lab.specs.slice(1).map((s) => cluster.member(s.name).start()));
    const health = await eventually(
      'cluster healthy again',
      () => cluster.health(),
      (h) => h.healthy,
    );
    expect(health.running).toHaveLength(3);
    for (const spec of lab.specs) {
      const reply = await eventually(
        `${spec.name} /health`,
        () => curlMember(spec, '/health'),
        (r) => r.stdout.includes('true'),
      );
      expect(reply.code).toBe(0);
    }
  });

  it.skipIf(!available)('refuses a client certificate from a different CA', async () => {
    const foreign = createEtcdCas(path.join(lab.root, 'foreign-ca'), 'foreign');
    const foreignTls = path.join(lab.root, 'foreign-tls');
    writeNodeEtcdTls(foreign, foreignTls, lab.specs[0]);
    const refused = await curlMember(lab.specs[0], '/health', { creds: foreignTls });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    const accepted = await curlMember(lab.specs[0], '/health');
    expect(accepted.code).toBe(0);
  });

  it.skipIf(!available)('stopAll leaves nothing running or listening', async () => {
    await cluster.stopAll();
    expect(lab.specs.some((s) => cluster.member(s.name).isRunning())).toBe(false);
    expect(await processesMentioning(lab.root)).toBe('');
    for (const spec of lab.specs) {
      expect(await canConnect(spec.address, 2379)).toBe(false);
      for (const port of [2379, 2381, 2382])
        expect((await curl([...onLoopback(spec, port), `http://127.0.0.1:${port}/health`])).code).toBe(7);
    }
    const health = await cluster.health();
    expect(health).toMatchObject({ healthy: false, leader: null, running: [] });
  });
});
