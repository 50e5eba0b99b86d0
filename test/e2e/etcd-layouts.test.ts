// keyturn on both upstream etcd layouts (k3s#8402; upstream-versions.ts etcdListenerLayout), with real etcd and
// with the emulation. On a current release, `curl https://<etcd node>:2379/health` with valid client certs gets no
// HTTP health answer — yet `keyturn status --json` shows etcd healthy with a leader and rotate-certs passes its
// quorum gates, because keyturn reads each member on its own node. The same keyturn works on a release before the
// change. Each node's loopback is its own: a node without etcd has nothing on 127.0.0.1:2381, and no node reaches
// another's 2382.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/engine/report.js';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { driveLab } from '../engine/support/lab-drive.js';
import { cliJson } from './run-tmux.js';

const cases = [
  {
    name: 'rke2 v1.32.5 (gRPC-only 2379), real etcd',
    distro: 'rke2' as const,
    version: 'v1.32.5+rke2r1',
    etcd: 'real' as const,
    split: true,
    ok: haveBinaries('etcd', 'curl'),
  },
  {
    name: 'k3s v1.28.3 (first with k3s#8402), emulated etcd',
    distro: 'k3s' as const,
    version: 'v1.28.3+k3s1',
    etcd: 'emulated' as const,
    split: true,
    ok: haveBinaries('curl'),
  },
  {
    name: 'rke2 v1.27.6 (before k3s#8402), real etcd',
    distro: 'rke2' as const,
    version: 'v1.27.6+rke2r1',
    etcd: 'real' as const,
    split: false,
    ok: haveBinaries('etcd', 'curl'),
  },
  {
    name: 'k3s v1.27.6 (before k3s#8402), emulated etcd',
    distro: 'k3s' as const,
    version: 'v1.27.6+k3s1',
    etcd: 'emulated' as const,
    split: false,
    ok: haveBinaries('curl'),
  },
];

describe.each(cases)('etcd layout: $name', ({ distro, version, etcd, split, ok }) => {
  let lab: LabHandle;
  let configDir = '';

  beforeAll(async () => {
    if (!ok) return;
    lab = await startLab({ topology: 'split', distro, version, etcd, speed: 30 });
    configDir = await mkdtemp(path.join(os.tmpdir(), 'kt-cfg-'));
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  const curlOn = (node: string, args: string) => {
    const n = lab.nodes.find((x) => x.name === node)!;
    const tls = `${n.dataDir}/server/tls/etcd`;
    return lab.run(
      node,
      `curl -sS --max-time 5 --cacert '${tls}/server-ca.crt' --cert '${tls}/client.crt' --key '${tls}/client.key' ${args}`,
    );
  };

  it.skipIf(!ok)(
    "2379 on the node address serves HTTP only before the change; 2381/2382 are each node's own loopback",
    async () => {
      const [e1, e2] = lab.nodes.filter((n) => n.roles.includes('etcd'));
      const onAddress = await curlOn(e1.name, `https://${e1.address}:2379/health`);
      if (split) {
        expect(onAddress.stdout).not.toContain('health');
        const loopback = await curlOn(e1.name, 'https://127.0.0.1:2382/health');
        expect(JSON.parse(loopback.stdout)).toEqual({ health: 'true' });
      } else {
        expect(JSON.parse(onAddress.stdout)).toEqual({ health: 'true' });
        expect((await curlOn(e1.name, 'https://127.0.0.1:2382/health')).code).toBe(7);
      }
      expect(JSON.parse((await lab.run(e2.name, 'curl -sS http://127.0.0.1:2381/health')).stdout)).toEqual({
        health: 'true',
      });
      // Not reachable from elsewhere: another node's 2382 and 2381 by address, and a loopback without etcd.
      expect((await curlOn(e2.name, `https://${e1.address}:2382/health`)).code).toBe(7);
      expect((await lab.run(e2.name, `curl -sS http://${e1.address}:2381/health`)).code).toBe(7);
      const cp = lab.nodes.find((n) => n.roles.includes('control-plane') && !n.roles.includes('etcd'))!;
      expect((await lab.run(cp.name, 'curl -sS http://127.0.0.1:2381/health')).code).toBe(7);
    },
  );

  it.skipIf(!ok)(
    'keyturn status --json: every member healthy, one leader, etcd-quorum passes',
    async () => {
      const doc = (await cliJson(lab, ['status', '--json'], { KEYTURN_CONFIG_DIR: configDir })) as StatusReport;
      const members = doc.nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.etcd);
      expect(members).toHaveLength(3);
      for (const m of members) expect(m).toMatchObject({ healthy: true, error: null });
      expect(members.filter((m) => m?.isLeader)).toHaveLength(1);
      expect(doc.checks.find((c) => c.id === 'etcd-quorum')).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(/^3\/3 members healthy, leader /),
      });
    },
    60_000,
  );

  it.skipIf(!ok)(
    'rotate-certs passes every etcd-quorum gate',
    async () => {
      const { state } = await driveLab(
        lab,
        'rotate-certs',
        `etcd-layout-${distro}-${version.replace(/[^a-z0-9]+/g, '-')}`,
      );
      expect(state.outcome.status, renderReport(state)).toBe('succeeded');
      const gates = Object.values(state.steps).flatMap((s) =>
        s.result?.status === 'done' ? (s.result.data?.gate ?? []) : [],
      );
      const quorum = gates.filter((g) => g.check === 'etcd-quorum');
      expect(quorum.length).toBeGreaterThanOrEqual(3);
      expect(quorum.every((g) => g.status === 'pass')).toBe(true);
    },
    300_000,
  );
});
