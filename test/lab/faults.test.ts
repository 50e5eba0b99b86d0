// Every fault, observed only through node commands and files, as keyturn would observe it.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backdateLeaves, loadClusterCAs, sha256Hex } from '../../lab/pki/index.js';
import { haveBinaries } from '../support/binaries.js';
import { cliArgs } from '../support/paths.js';
import { runWith, startLab, waitFor, type LabHandle } from '../support/lab.js';

const DAY = 86_400_000;
const notAfter = (file: string) => new Date(new X509Certificate(readFileSync(file)).validTo).getTime();

// With real etcd, expired peer certificates really fail TLS: renewal before etcd starts is what brings it back.
const modes = haveBinaries('etcd') ? (['real', 'emulated'] as const) : (['emulated'] as const);

describe.each(modes)('lab faults (split, etcd %s)', (mode) => {
  let lab: LabHandle;
  beforeAll(async () => {
    lab = await startLab({ topology: 'split', etcd: mode });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('refuses an unknown fault and a missing --node with one line, exit 2', async () => {
    const env = process.env as Record<string, string>;
    const unknown = await runWith(env, process.execPath, [...cliArgs, 'lab', 'fault', 'meteor', '--dir', lab.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^keyturn: unknown fault "meteor"/);
    const noNode = await runWith(env, process.execPath, [...cliArgs, 'lab', 'fault', 'ca-drift', '--dir', lab.dir]);
    expect(noNode).toMatchObject({ code: 2, stderr: 'keyturn: fault ca-drift needs --node NAME\n' });
  });

  it('stop-service leaves the unit failed without automatic restarts', async () => {
    await lab.fault('stop-service', [], 'agent-2');
    expect(await lab.run('agent-2', 'systemctl is-active rke2-agent')).toMatchObject({ code: 3, stdout: 'failed\n' });
    const record = await lab.record();
    expect(record).toContainEqual(expect.objectContaining({ type: 'fault', name: 'stop-service', node: 'agent-2' }));
    expect(record).toContainEqual(expect.objectContaining({ type: 'service', node: 'agent-2', to: 'failed' }));
    // RestartSec is 250 ms at speed 20: after a few of those it must still be down with no restarts counted.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await lab.run('agent-2', 'systemctl show -p ActiveState,NRestarts rke2-agent')).stdout).toBe(
      'ActiveState=failed\nNRestarts=0\n',
    );
    expect(await lab.run('agent-2', 'systemctl start rke2-agent')).toMatchObject({ code: 0 });
  });

  it('ca-drift gives one node a server CA the others do not share', async () => {
    const ca = (node: string) =>
      sha256Hex(readFileSync(path.join(lab.dir, 'nodes', node, 'data/server/tls/server-ca.crt')));
    expect(ca('cp-1')).toBe(ca('cp-2'));
    await lab.fault('ca-drift', [], 'cp-2');
    expect(ca('cp-1')).not.toBe(ca('cp-2'));
  });

  it('hash-mismatch makes the config hash differ; after a restart status names the two nodes', async () => {
    const cred = (node: string) => path.join(lab.dir, 'nodes', node, 'data/server/cred');
    await lab.fault('hash-mismatch', [], 'cp-2');
    const config = readFileSync(path.join(cred('cp-2'), 'encryption-config.json'));
    const state = readFileSync(path.join(cred('cp-2'), 'encryption-state.json'), 'utf8');
    expect(state).not.toBe(`start-${sha256Hex(config)}`);
    expect(await lab.run('cp-2', 'systemctl restart rke2-server')).toMatchObject({ code: 0 });
    expect(readFileSync(path.join(cred('cp-2'), 'encryption-state.json'), 'utf8')).toBe(`start-${sha256Hex(config)}`);
    const status = await lab.run('cp-1', 'rke2 secrets-encrypt status');
    expect(status.stdout).toContain('Server Encryption Hashes: hash does not match between cp-1 and cp-2\n');
    const json = JSON.parse((await lab.run('cp-1', 'rke2 secrets-encrypt status -o json')).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      stage: 'start',
      activekey: 'AES-CBC aescbckey',
      enable: true,
      hasherror: 'hash does not match between cp-1 and cp-2',
    });
    expect(json).not.toHaveProperty('hashmatch');
  });

  it('latency slows every node command and latency 0 removes it', async () => {
    await lab.fault('latency', ['400']);
    const t0 = Date.now();
    await lab.run('agent-1', 'true');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    await lab.fault('latency', ['0']);
    const t1 = Date.now();
    await lab.run('agent-1', 'true');
    expect(Date.now() - t1).toBeLessThan(400);
  });

  it('renews a leaf inside the renew window on restart, under the same CA', async () => {
    const node = lab.nodes.find((n) => n.name === 'etcd-3')!;
    const cas = await loadClusterCAs(path.join(lab.dir, 'cluster-cas.json'));
    const ctx = {
      dataDir: node.dataDir,
      distro: 'rke2' as const,
      roles: node.roles,
      nodeName: node.name,
      address: node.address,
      cas,
    };
    // 300 days old: 65 days left, inside v1.32.5's 120-day window.
    await backdateLeaves(ctx, 300);
    const leaf = path.join(node.dataDir, 'server/tls/client-admin.crt');
    expect(notAfter(leaf) - Date.now()).toBeLessThan(70 * DAY);
    expect(await lab.run('etcd-3', 'systemctl restart rke2-server')).toMatchObject({ code: 0 });
    expect(notAfter(leaf) - Date.now()).toBeGreaterThan(360 * DAY);
    expect((await lab.run('etcd-3', 'journalctl -u rke2-server -o cat')).stdout).toMatch(
      /client-admin\.crt is expired or will expire within 120 days; renewed/,
    );
  });

  it('expire-certs stops every service and expires the leaves; starting servers renews them', async () => {
    await lab.fault('expire-certs');
    for (const node of lab.nodes)
      expect(
        (
          await lab.run(
            node.name,
            `systemctl is-active ${node.roles.includes('worker') ? 'rke2-agent' : 'rke2-server'}`,
          )
        ).code,
      ).toBe(3);
    const leaf = path.join(lab.nodes[0].dataDir, 'server/tls/etcd/client.crt');
    expect(notAfter(leaf)).toBeLessThan(Date.now());
    const check = await lab.run('etcd-1', 'rke2 certificate check --output table');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/EXPIRED/);
    await Promise.all(['etcd-1', 'etcd-2', 'etcd-3'].map((n) => lab.run(n, 'systemctl start rke2-server')));
    expect(notAfter(leaf)).toBeGreaterThan(Date.now() + 360 * DAY);
    expect(await lab.run('cp-1', 'systemctl start rke2-server')).toMatchObject({ code: 0 });
    await waitFor('API answers again', async () =>
      (await lab.run('cp-1', 'rke2 etcd-snapshot save --name after')).code === 0 ? true : undefined,
    );
  });
});

describe('lab dir lock', () => {
  it('refuses a directory where another lab is running', async () => {
    const lab = await startLab({ topology: 'single', etcd: 'emulated' });
    try {
      const second = await runWith(process.env as Record<string, string>, process.execPath, [
        ...cliArgs,
        'lab',
        'up',
        '--dir',
        lab.dir,
        '--net',
        '127.0.250',
        '--etcd',
        'emulated',
      ]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(
        new RegExp(`^keyturn: --dir .*: another lab is running there \\(pid ${lab.pid}\\)`),
      );
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await lab.stop();
    }
  });
});
