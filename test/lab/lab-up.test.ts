// `keyturn lab up` end to end in both etcd modes: nodes, files, real TLS etcd endpoints, kubectl, units, shutdown.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { certFilesFor } from '../../src/model/cert-files.js';
import { shq } from '../../src/util/shell-quote.js';
import { haveBinaries } from '../support/binaries.js';
import { runWith, startLab, waitFor, type LabHandle } from '../support/lab.js';

const modes = [
  { mode: 'real' as const, available: haveBinaries('etcd') },
  { mode: 'emulated' as const, available: true },
];
const tools = haveBinaries('curl', 'kubectl', 'openssl');

describe.each(modes)('lab up split with etcd $mode', ({ mode, available }) => {
  let lab: LabHandle;
  let startedMs = 0;
  beforeAll(async () => {
    if (!available) return;
    const t0 = Date.now();
    lab = await startLab({ topology: 'split', etcd: mode });
    startedMs = Date.now() - t0;
    console.log(`lab up split (etcd ${mode}) ready in ${startedMs} ms`);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it.skipIf(!available)('reports 7 nodes ready and writes inventory and kubeconfig', () => {
    expect(lab.readyLine).toMatch(
      new RegExp(`^lab ready: 7 nodes \\(rke2 v1\\.32\\.5\\+rke2r1, etcd ${mode}\\) kubeconfig=`),
    );
    expect(lab.nodes.map((n) => n.name)).toEqual(['etcd-1', 'etcd-2', 'etcd-3', 'cp-1', 'cp-2', 'agent-1', 'agent-2']);
    expect(lab.nodes.map((n) => n.address)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `${lab.net}.${i}`));
    expect(lab.nodes[0].roles).toEqual(['etcd']);
    expect(lab.nodes[3].roles).toEqual(['control-plane']);
    expect(lab.nodes[5].roles).toEqual(['worker']);
    const inventory = parse(readFileSync(lab.inventory, 'utf8')) as { nodes: Record<string, unknown>[] };
    expect(inventory.nodes[0]).toMatchObject({
      transport: 'local',
      distro: 'rke2',
      dataDir: path.join(lab.dir, 'nodes/etcd-1/data'),
    });
    expect((inventory.nodes[0].env as Record<string, string>).PATH).toBe(
      `${path.join(lab.dir, 'nodes/etcd-1/bin')}:/usr/local/bin:/usr/bin:/bin`,
    );
    expect(readFileSync(lab.kubeconfig, 'utf8')).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);
    expect(readFileSync(path.join(lab.dir, 'nodes/cp-1/etc/config.yaml'), 'utf8')).toContain(
      `data-dir: ${path.join(lab.dir, 'nodes/cp-1/data')}`,
    );
    expect(existsSync(path.join(lab.dir, 'nodes/cp-1/etc/rke2.yaml'))).toBe(true);
    expect(existsSync(path.join(lab.dir, 'nodes/agent-1/etc/rke2.yaml'))).toBe(false);
  });

  it.skipIf(!available || !tools)('holds leaves on every node that openssl verifies against their CA', async () => {
    let verified = 0;
    for (const node of lab.nodes) {
      const leaves = certFilesFor('rke2', node.roles).filter((f) => f.kind === 'leaf');
      const script = leaves
        .map(
          (f) =>
            `openssl verify -CAfile ${shq(path.join(node.dataDir, f.issuer))} ${shq(path.join(node.dataDir, f.path))}`,
        )
        .join(' && ');
      const result = await lab.run(node.name, script);
      expect(result.stderr, node.name).toBe('');
      expect(
        result.stdout
          .trim()
          .split('\n')
          .filter((l) => l.endsWith(': OK')),
        node.name,
      ).toHaveLength(leaves.length);
      verified += leaves.length;
    }
    expect(verified).toBeGreaterThan(7 * 4);
  });

  it.skipIf(!available || !tools)(
    "serves etcd /health over TLS with the node certificates on the node's own loopback 2382, gRPC only on 2379",
    async () => {
      // The default version is after k3s#8402: HTTP on https://127.0.0.1:2382 (the node's own loopback), not on 2379.
      const tls = path.join(lab.nodes[0].dataDir, 'server/tls/etcd');
      const certs = `--cacert ${tls}/server-ca.crt --cert ${tls}/client.crt --key ${tls}/client.key`;
      const result = await lab.run('etcd-1', `curl -sS ${certs} https://127.0.0.1:2382/health`);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ health: 'true' });
      const grpcOnly = await lab.run(
        'etcd-1',
        `curl -sS ${certs} -w '%{http_code}' https://${lab.nodes[0].address}:2379/health`,
      );
      expect(grpcOnly.stdout).toBe('415');
    },
  );

  it.skipIf(!available || !tools)('answers kubectl get nodes with every node Ready', async () => {
    const result = await runWith(process.env as Record<string, string>, 'kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      'get',
      'nodes',
      '--no-headers',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(7);
    expect(result.stdout).not.toMatch(/NotReady/);
  });

  it.skipIf(!available)('has no rke2.service, while rke2-server stops and starts', async () => {
    const wrong = await lab.run('cp-2', 'systemctl stop rke2');
    expect(wrong).toMatchObject({ code: 5, stderr: 'Failed to stop rke2.service: Unit rke2.service not loaded.\n' });
    const inactive = await lab.run('cp-2', 'systemctl is-active rke2');
    expect(inactive).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(await lab.run('cp-2', 'systemctl stop rke2-server.service')).toMatchObject({ code: 0 });
    expect(await lab.run('cp-2', 'systemctl is-active rke2-server')).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(await lab.run('cp-2', 'systemctl start rke2-server')).toMatchObject({ code: 0 });
    const show = await lab.run(
      'cp-2',
      'systemctl show -p NRestarts,ActiveState,SubState,ActiveEnterTimestamp,MainPID rke2-server',
    );
    expect(show.stdout).toMatch(
      /^NRestarts=0\nActiveState=active\nSubState=running\nActiveEnterTimestamp=\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\nMainPID=[1-9]\d*\n$/,
    );
    const record = await lab.record();
    expect(record).toContainEqual(
      expect.objectContaining({ type: 'command', node: 'cp-2', prog: 'systemctl', argv: ['stop', 'rke2'], code: 5 }),
    );
    expect(record).toContainEqual(
      expect.objectContaining({
        type: 'service',
        node: 'cp-2',
        unit: 'rke2-server',
        from: 'active',
        to: 'deactivating',
      }),
    );
  });

  it.skipIf(!available || !tools)('answers 503 once both control-plane servers are down', async () => {
    const kubectl = () =>
      runWith(process.env as Record<string, string>, 'kubectl', [
        '--kubeconfig',
        lab.kubeconfig,
        'get',
        'nodes',
        '--request-timeout=5s',
      ]);
    // A unit stop leaves RKE2's kube-apiserver static pod running (KillMode=process): the API still answers.
    await lab.run('cp-1', 'systemctl stop rke2-server');
    await lab.run('cp-2', 'systemctl stop rke2-server');
    expect((await kubectl()).code).toBe(0);
    await lab.run('cp-1', 'rke2-killall.sh');
    await lab.run('cp-2', 'rke2-killall.sh');
    const result = await runWith(process.env as Record<string, string>, 'kubectl', [
      '--kubeconfig',
      lab.kubeconfig,
      'get',
      'nodes',
      '--request-timeout=5s',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ServiceUnavailable|unable to handle the request/);
  });

  it.skipIf(!available)('stops everything on SIGTERM: no etcd of this lab left, socket and pid file gone', async () => {
    const socket = path.join(lab.dir, 'lab.sock');
    expect(existsSync(socket)).toBe(true);
    const dir = lab.dir;
    await lab.stop();
    expect(existsSync(socket)).toBe(false);
    const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes(dir))).toEqual([]);
    await waitFor('lab process gone', async () => (isAlive(lab.pid) ? undefined : true), 5_000);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
