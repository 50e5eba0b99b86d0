// `keyturn status --json` against the lab (a simulated RKE2/K3s cluster reached through the ordinary local
// transport): every check passes on a healthy cluster, and each fault makes the matching check fail and name the node.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClusterSession } from '../../src/commands/cluster-session.js';
import type { NodePreview, StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { cliArgs, repoRoot } from '../support/paths.js';

interface StatusRun {
  code: number;
  report: StatusReport;
  stderr: string;
  ms: number;
}

async function status(lab: LabHandle, configDir: string, extra: string[] = []): Promise<StatusRun> {
  const args = [...cliArgs, 'status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory, ...extra];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, KEYTURN_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const ms = Math.round(performance.now() - started);
  let report: StatusReport;
  try {
    report = JSON.parse(stdout) as StatusReport;
  } catch {
    throw new Error(
      `status did not print one JSON document (exit ${code}); stderr: ${stderr}\nstdout: ${stdout.slice(0, 500)}`,
    );
  }
  return { code, report, stderr, ms };
}

const check = (r: StatusReport, id: string) => r.checks.find((c) => c.id === id)!;
const nodeOf = (r: StatusReport, name: string) => r.nodes.find((n) => n.name === name)!;
const EXPECTED_ROLES = {
  'etcd-1': ['etcd'],
  'etcd-2': ['etcd'],
  'etcd-3': ['etcd'],
  'cp-1': ['control-plane'],
  'cp-2': ['control-plane'],
  'agent-1': ['worker'],
  'agent-2': ['worker'],
};

function expectHealthy(run: StatusRun, distro: 'rke2' | 'k3s'): void {
  const { report } = run;
  expect(
    report.checks.filter((c) => c.status !== 'pass'),
    JSON.stringify(report.checks, null, 2),
  ).toEqual([]);
  expect(run.code).toBe(0);
  expect(report.cluster).toMatchObject({ distro, apiReachable: true, source: 'api' });
  expect(Object.fromEntries(report.nodes.map((n) => [n.name, n.roles]))).toEqual(EXPECTED_ROLES);
  const serverCa = new Set(report.nodes.map((n) => n.caFingerprints['server-ca']));
  expect(serverCa.size).toBe(1);
  expect([...serverCa][0]).toMatch(/^[0-9a-f]{64}$/);
  for (const n of report.nodes) {
    expect(n.reachable).toBe(true);
    expect(n.service.state).toBe('active');
    expect(n.certificates.length).toBeGreaterThanOrEqual(n.roles.includes('worker') ? 6 : 20);
    expect(n.certificates.every((c) => c.status === 'ok')).toBe(true);
    expect(n.encryption === null).toBe(n.roles.includes('worker'));
  }
  expect(report.nodes.filter((n) => n.etcd?.isLeader)).toHaveLength(1);
  expect(
    report.nodes.filter((n) => n.roles.includes('etcd')).every((n) => n.etcd?.healthy && n.etcd.member !== ''),
  ).toBe(true);
}

describe.skipIf(!haveBinaries('curl', 'sha256sum'))('status on the lab', () => {
  let configDir: string;
  beforeAll(async () => {
    configDir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-status-cfg-'));
  });

  describe('rke2 split', () => {
    let lab: LabHandle;
    beforeAll(async () => {
      lab = await startLab({ topology: 'split', distro: 'rke2' });
    });
    afterAll(async () => lab?.stop());

    it('reports 7 nodes with roles, certificates and CA fingerprints, every check passing', async () => {
      const run = await status(lab, configDir);
      expectHealthy(run, 'rke2');
      console.log(`status --json on the 7-node rke2 lab: ${run.ms} ms`);
    });

    it("opened with a kubeconfig only, the session tells the API's node list before discovery is asked", async () => {
      process.env.KEYTURN_CONFIG_DIR = configDir;
      const previews: NodePreview[] = [];
      let told!: () => void;
      const previewTold = new Promise<void>((resolve) => (told = resolve));
      const session = await openClusterSession(
        { kubeconfig: lab.kubeconfig },
        { onPreview: (p) => (previews.push(p), told()) },
      );
      try {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>(
          (_, reject) =>
            (timer = setTimeout(() => reject(new Error('no node list within 10 s of the session opening')), 10_000)),
        );
        await Promise.race([previewTold, late]).finally(() => clearTimeout(timer));
        expect(previews).toHaveLength(1);
        expect(previews[0]).toMatchObject({ source: 'api', final: true });
        expect(previews[0].nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
        expect(new Set(previews[0].nodes.map((n) => n.version))).toEqual(new Set(['v1.32.5+rke2r1']));
      } finally {
        await session.dispose();
      }
    });

    it('names the node of each fault: ca-drift, hash-mismatch, stop-service', async () => {
      await lab.fault('ca-drift', [], 'agent-1');
      await lab.fault('hash-mismatch', [], 'cp-2');
      await lab.fault('stop-service', [], 'agent-2');
      const { report, code } = await status(lab, configDir);
      expect(code).toBe(1);
      expect(check(report, 'ca-consistency')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('agent-1'),
      });
      expect(check(report, 'ca-consistency').detail).not.toMatch(/differs on [^;]*(etcd-1|cp-1|agent-2)/);
      expect(check(report, 'encryption-hashes')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/^cp-2: state hash/),
      });
      expect(nodeOf(report, 'cp-2').encryption?.hashMatchesConfig).toBe(false);
      expect(check(report, 'services')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('agent-2 rke2-agent is failed'),
      });
      expect(check(report, 'etcd-quorum').status).toBe('pass');
    });

    it('fails etcd-quorum naming the two stopped etcd servers', async () => {
      // A plain `systemctl stop rke2-server` leaves the etcd static pod running; the killall script stops it.
      for (const n of ['etcd-2', 'etcd-3']) {
        const r = await lab.run(n, 'rke2-killall.sh');
        expect(r.code, r.stderr).toBe(0);
      }
      const { report } = await status(lab, configDir);
      const q = check(report, 'etcd-quorum');
      expect(q.status).toBe('fail');
      expect(q.detail).toMatch(/on etcd-2 unhealthy/);
      expect(q.detail).toMatch(/on etcd-3 unhealthy/);
      expect(q.detail).toContain('QUORUM LOST');
      expect(nodeOf(report, 'etcd-2').etcd).toMatchObject({ healthy: false });
    });

    it('reports every node from the inventory when the API is down', async () => {
      for (const n of ['cp-1', 'cp-2']) await lab.run(n, 'rke2-killall.sh');
      const { report, code } = await status(lab, configDir);
      expect(code).toBe(1);
      expect(report.cluster).toMatchObject({ apiReachable: false, source: 'inventory', distro: 'rke2' });
      expect(report.nodes.map((n) => n.name).sort()).toEqual(Object.keys(EXPECTED_ROLES).sort());
      // The versions the API told at the last good scan (earlier tests here), not blanks.
      expect(report.cluster.version).toBe('v1.32.5+rke2r1');
      expect(report.nodes.filter((n) => n.version !== 'v1.32.5+rke2r1').map((n) => n.name)).toEqual([]);
      expect(report.nodes.every((n) => n.reachable)).toBe(true);
      expect(check(report, 'api').status).toBe('fail');
      expect(check(report, 'services').detail).toContain('cp-1 rke2-server is inactive');
    });
  });

  describe('k3s split', () => {
    let lab: LabHandle;
    beforeAll(async () => {
      lab = await startLab({ topology: 'split', distro: 'k3s' });
    });
    afterAll(async () => lab?.stop());

    it('reports 7 nodes with every check passing', async () => {
      expectHealthy(await status(lab, configDir), 'k3s');
    });

    it('diagnoses the restart loop after a parallel restart, with the journal line and the recipe', async () => {
      await lab.fault('parallel-restart');
      const { report } = await status(lab, configDir);
      expect(check(report, 'services')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('cp-1 k3s restart loop'),
      });
      for (const name of ['cp-1', 'cp-2']) {
        const loop = nodeOf(report, name).diagnoses.find((d) => d.code === 'restart-loop');
        expect(loop, JSON.stringify(nodeOf(report, name))).toBeDefined();
        expect(loop!.recipe).toBe('recover-restart-loop');
        expect(loop!.evidence).toContain('failed to get etcd MemberList');
        expect(nodeOf(report, name).diagnoses.find((d) => d.code === 'etcd-handshake')?.recipe).toBe(
          'recover-restart-loop',
        );
      }
    });

    it('fails certificates naming node and file once leaves have expired', async () => {
      await lab.fault('expire-certs');
      const { report, code } = await status(lab, configDir);
      expect(code).toBe(1);
      const c = check(report, 'certificates');
      expect(c.status).toBe('fail');
      expect(c.detail).toMatch(/agent-1 agent\/client-[a-z0-9-]+\.crt expired/);
      for (const n of Object.keys(EXPECTED_ROLES)) expect(c.detail).toContain(`${n} `);
      const leaves = nodeOf(report, 'etcd-1').certificates.filter((x) => !x.isCA);
      expect(leaves.length).toBeGreaterThan(0);
      expect(leaves.every((x) => x.status === 'expired' && x.daysLeft < 0)).toBe(true);
      expect(
        nodeOf(report, 'etcd-1')
          .certificates.filter((x) => x.isCA)
          .every((x) => x.status === 'ok'),
      ).toBe(true);
    });
  });
});
