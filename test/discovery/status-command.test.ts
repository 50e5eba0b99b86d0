import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runStatus } from '../../src/commands/status.js';
import type { StatusReport } from '../../src/model/status.js';
import net from 'node:net';
import { haveBinaries } from '../support/binaries.js';
import { cliArgs, repoRoot } from '../support/paths.js';

/** A loopback port nothing listens on (taken and released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
import { buildFakeNode, makeCaSet } from './support/fake-node.js';

describe('keyturn status (command)', () => {
  let dir: string;
  let out: string;
  const saved = { ...process.env };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-status-cmd-'));
    process.env.HOME = dir; // no ~/.kube/config
    process.env.KEYTURN_CONFIG_DIR = path.join(dir, 'config');
    delete process.env.KUBECONFIG;
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
  });

  it('exits 2 with one line when there is no cluster to read', () => {
    const r = spawnSync(process.execPath, [...cliArgs, 'status'], {
      cwd: repoRoot,
      env: { ...process.env, HOME: dir, KUBECONFIG: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--inventory');
  });

  it('exits 2 and still prints one JSON document when no node can be reached and there is no API', async () => {
    const inv = path.join(dir, 'inv.yaml');
    await writeFile(
      inv,
      'nodes:\n  - {name: a, address: 10.0.0.1, roles: [worker], distro: k3s, transport: local, env: {PATH: /nonexistent}}\n',
    );
    const code = await runStatus({ inventory: inv, json: true });
    expect(code).toBe(2);
    const report = JSON.parse(out) as StatusReport;
    expect(report.cluster).toMatchObject({ source: 'inventory', apiReachable: false });
    expect(report.nodes[0]).toMatchObject({ name: 'a', reachable: false });
  });

  it('lists nodes in rotation order, as the wizard and the plan do (text and --json)', async () => {
    const inv = path.join(dir, 'inv.yaml');
    let i = 0;
    const entry = (name: string, roles: string) =>
      `  - {name: ${name}, address: 10.0.0.${++i}, roles: [${roles}], distro: rke2, transport: local, env: {PATH: /nonexistent}}\n`;
    await writeFile(
      inv,
      `nodes:\n${entry('agent-1', 'worker')}${entry('a-mixed', 'etcd, control-plane')}${entry('cp-1', 'control-plane')}${entry('etcd-10', 'etcd')}${entry('etcd-9', 'etcd')}`,
    );
    const order = ['etcd-9', 'etcd-10', 'a-mixed', 'cp-1', 'agent-1'];
    await runStatus({ inventory: inv, json: true });
    expect((JSON.parse(out) as StatusReport).nodes.map((n) => n.name)).toEqual(order);
    out = '';
    await runStatus({ inventory: inv });
    const rows = out
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((w) => order.includes(w));
    expect(rows.slice(0, order.length)).toEqual(order);
  });

  it.skipIf(!haveBinaries('ssh'))(
    'an unreachable node without distro: shows the ssh error, not a generic line',
    async () => {
      // Roles given, distro not: keyturn must ask the node's disk first, and that is where the ssh error was lost.
      const port = await closedPort();
      const inv = path.join(dir, 'inv.yaml');
      await writeFile(
        inv,
        `nodes:\n  - {name: ghost-1, address: 127.0.0.1, roles: [etcd, control-plane], transport: ssh, ssh: {port: ${port}, user: nobody}}\n`,
      );
      expect(await runStatus({ inventory: inv, json: true })).toBe(2);
      const nodes = (JSON.parse(out) as StatusReport).checks.find((c) => c.id === 'nodes');
      expect(nodes?.detail).toContain(`ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
      expect(nodes?.detail).not.toContain('could not reach the node or tell its distro');
    },
  );

  it('prints a plain-text summary with a banner naming the source, and remembers the nodes', async () => {
    const now = new Date();
    const node = await buildFakeNode(dir, {
      name: 'w-1',
      address: '127.0.0.2',
      distro: 'k3s',
      roles: ['worker'],
      now,
      cas: await makeCaSet(now),
    });
    const inv = path.join(dir, 'inv.yaml');
    await writeFile(
      inv,
      `nodes:\n  - {name: w-1, address: 127.0.0.2, roles: [worker], distro: k3s, dataDir: ${JSON.stringify(node.dataDir)}, transport: local, env: ${JSON.stringify(node.env)}}\n`,
    );
    const code = await runStatus({ inventory: inv });
    expect(code).toBe(1); // the api check cannot pass without a kubeconfig
    expect(out).toContain('source: inventory');
    expect(out).toMatch(/^NOTE: the Kubernetes API could not be read/m);
    expect(out).toMatch(/^w-1\s+127\.0\.0\.2\s+worker\s+-\s+\?\s+active\s+6 ok/m);
    expect(out).toMatch(/^ {2}PASS {2}certificates/m);
    expect(out).not.toMatch(/\u001b\[/); // no colours or cursor codes
    const { Settings } = await import('../../src/settings/settings.js');
    expect(new Settings().remembered(`inventory:${inv}`)?.nodes[0]).toMatchObject({
      name: 'w-1',
      roles: ['worker'],
      distro: 'k3s',
    });
  });
});
