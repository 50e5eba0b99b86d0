// End to end through real SSH: every lab node reached through the system `ssh` and a real sshd on 127.0.0.1 (one
// per node, each with its own host key, as real nodes have), with the node's env (PATH with its bin/ first) applied
// on the far side. The lab's systemctl, journalctl and etcd certificates are only found through that PATH and
// dataDir, so passing checks prove both travelled.
//
// Why one sshd per node: with a single sshd every node maps to the same ssh ControlPath (%C hashes host, port and
// user), and concurrent first connections to one ControlPath race inside OpenSSH ("mux_client_request_session:
// read from master failed: Broken pipe | Failed to connect to new control master"). See RELIABILITY.md.
import { readFileSync, rmSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { makeSandbox, type Sandbox } from './support.js';

const available = haveBinaries('ssh', 'sshd');

const sshTo = (sshd: TestSshd) => ({
  port: sshd.port,
  user: sshd.user,
  identityFile: sshd.identityFile,
  options: [...sshd.sshOptions, 'HostName=127.0.0.1'],
});

interface LabInventoryNode {
  name: string;
  address: string;
  roles: string[];
  distro: string;
  dataDir: string;
  env: Record<string, string>;
}

describe.skipIf(!available)('keyturn status over real SSH (split lab)', () => {
  let box: Sandbox;
  let lab: LabHandle;
  let sshds: Map<string, TestSshd>;
  let inventory: string;
  let nodeNames: string[];
  // keyturn's ssh control sockets go under TMPDIR: keep them in this test's sandbox.
  const env = () => ({ TMPDIR: box.dir });

  beforeAll(async () => {
    box = makeSandbox('kt-ssh-');
    lab = await startLab({ topology: 'split' });
    const labNodes = (parse(readFileSync(lab.inventory, 'utf8')) as { nodes: LabInventoryNode[] }).nodes;
    nodeNames = labNodes.map((n) => n.name).sort();
    sshds = new Map(await Promise.all(labNodes.map(async (n) => [n.name, await startSshd()] as const)));
    const nodes = labNodes.map((n) => ({
      name: n.name,
      // The node's own address (etcd listens there; the inventory needs distinct addresses); ssh is pointed at the
      // node's sshd by HostName, as a ~/.ssh/config alias would. Host-key checking stays on (UserKnownHostsFile).
      address: n.address,
      roles: n.roles,
      distro: n.distro,
      dataDir: n.dataDir,
      transport: 'ssh',
      ssh: sshTo(sshds.get(n.name)!),
      env: n.env,
    }));
    inventory = box.write('inventory-ssh.yaml', `nodes: ${JSON.stringify(nodes, null, 2)}\n`);
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([lab?.stop(), ...[...(sshds?.values() ?? [])].map((d) => d.stop())]);
    if (box) rmSync(box.dir, { recursive: true, force: true });
  });

  const statusOf = async (args: string[]) => {
    const result = await box.cli(['status', '--json', '--inventory', inventory, ...args], env());
    return { result, report: JSON.parse(result.stdout) as StatusReport };
  };

  it('with the kubeconfig: all 7 nodes reached over ssh, every check passing', async () => {
    const before = (await lab.record()).length;
    const { result, report } = await statusOf(['--kubeconfig', lab.kubeconfig]);
    expect(result.stderr).toBe('');
    expect(report.cluster).toMatchObject({ source: 'api', apiReachable: true });
    expect(report.nodes.filter((n) => n.reachable).map((n) => n.name).sort()).toEqual(nodeNames);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.code).toBe(0);
    for (const [name, sshd] of sshds) expect(sshd.log(), name).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
    // The node commands ran (on the lab, through the node's PATH on the far side of ssh).
    const commands = (await lab.record()).slice(before).filter((e) => e.type === 'command');
    expect(new Set(commands.map((e) => (e.type === 'command' ? e.node : ''))).size).toBe(7);
  });

  it('without the kubeconfig: the inventory alone, every node check passing (the API check unknown)', async () => {
    const { result, report } = await statusOf([]);
    expect(result.stderr).toBe('');
    expect(report.cluster).toMatchObject({ source: 'inventory', apiReachable: false });
    expect(report.nodes.filter((n) => n.reachable).map((n) => n.name).sort(), JSON.stringify(report.checks)).toEqual(nodeNames);
    const notPassing = report.checks.filter((c) => c.status !== 'pass');
    expect(notPassing).toEqual([{ id: 'api', status: 'unknown', detail: 'no kubeconfig: the Kubernetes API was not read' }]);
    expect(report.checks.find((c) => c.id === 'etcd-quorum')).toMatchObject({ status: 'pass', detail: expect.stringContaining('3/3 members healthy') });
    expect(result.code).toBe(1);
  });

  it('a stopped service on agent-2 fails the services check, naming agent-2', async () => {
    await lab.fault('stop-service', [], 'agent-2');
    for (const args of [['--kubeconfig', lab.kubeconfig], []]) {
      const { result, report } = await statusOf(args);
      expect(result.code).toBe(1);
      const services = report.checks.find((c) => c.id === 'services')!;
      expect(services.status, JSON.stringify(report.checks)).toBe('fail');
      expect(services.detail).toContain('agent-2');
      expect(report.nodes.find((n) => n.name === 'agent-2')).toMatchObject({ reachable: true, service: { unit: 'rke2-agent', state: 'failed' } });
      expect(report.nodes.filter((n) => n.reachable), JSON.stringify(report.checks.find((c) => c.id === 'nodes'))).toHaveLength(7);
    }
  });
});
