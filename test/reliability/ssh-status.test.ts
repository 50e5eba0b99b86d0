// End to end through real SSH: every lab node reached through the system `ssh` and a real sshd on 127.0.0.1 (one
// per node, each with its own host key, as real nodes have), with the node's env (PATH with its bin/ first) applied
// on the far side. The lab's systemctl, journalctl and etcd certificates are only found through that PATH and
// dataDir, so passing checks prove both travelled.
//
// Why one sshd per node: real nodes have their own host keys, so each node gets its own known_hosts line. Several
// inventory names behind one sshd (one ControlPath) work too: a session's commands open one master per target and
// those names share it (test/transports/ssh-shell.test.ts); a status scan opens none (one ssh per node).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/model/status.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { sshInventoryFor, startSshdPerNode, type TestSshd } from '../support/sshd.js';
import { makeSandbox, type Sandbox } from './support.js';

const available = haveBinaries('ssh', 'sshd');

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
    nodeNames = lab.nodes.map((n) => n.name).sort();
    sshds = await startSshdPerNode(lab);
    inventory = box.write('inventory-ssh.yaml', sshInventoryFor(lab, sshds));
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
    expect(
      report.nodes
        .filter((n) => n.reachable)
        .map((n) => n.name)
        .sort(),
    ).toEqual(nodeNames);
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(result.code).toBe(0);
    for (const [name, sshd] of sshds) expect(sshd.log(), name).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
    // The node commands ran (on the lab, through the node's PATH on the far side of ssh).
    const commands = (await lab.record()).slice(before).filter((e) => e.type === 'command');
    expect(new Set(commands.map((e) => (e.type === 'command' ? e.node : ''))).size).toBe(7);
  });

  it('starts one ssh per node, as parallel-ssh does: no `ssh -G`, no master, no `-O stop`', async () => {
    // A logging `ssh` first on PATH; the real one does the work.
    const real = execFileSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).trim();
    const bin = path.join(box.dir, 'logging-bin');
    const log = path.join(box.dir, 'ssh-calls');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      path.join(bin, 'ssh'),
      ['#!/bin/sh', `printf 'CALL  %s \\n' "$*" >> ${log}`, `exec ${real} "$@"`, ''].join('\n'),
      { mode: 0o755 },
    );
    const result = await box.cli(['status', '--json', '--inventory', inventory, '--kubeconfig', lab.kubeconfig], {
      ...env(),
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.nodes.filter((n) => n.reachable && n.certificates.length > 0)).toHaveLength(7);
    const calls = readFileSync(log, 'utf8')
      .split(/^CALL /m)
      .filter(Boolean);
    expect(calls.filter((c) => / -G | -N | -O /.test(c))).toEqual([]);
    expect(calls).toHaveLength(7);
    for (const call of calls) expect(call).toMatch(/ BatchMode=yes .* ControlMaster=no /s);
  });

  it('without the kubeconfig: the inventory alone, every node check passing (the API check unknown)', async () => {
    const { result, report } = await statusOf([]);
    expect(result.stderr).toBe('');
    expect(report.cluster).toMatchObject({ source: 'inventory', apiReachable: false });
    expect(
      report.nodes
        .filter((n) => n.reachable)
        .map((n) => n.name)
        .sort(),
      JSON.stringify(report.checks),
    ).toEqual(nodeNames);
    const notPassing = report.checks.filter((c) => c.status !== 'pass');
    expect(notPassing).toEqual([
      { id: 'api', status: 'unknown', detail: 'no kubeconfig: the Kubernetes API was not read' },
    ]);
    expect(report.checks.find((c) => c.id === 'etcd-quorum')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('3/3 members healthy'),
    });
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
      expect(report.nodes.find((n) => n.name === 'agent-2')).toMatchObject({
        reachable: true,
        service: { unit: 'rke2-agent', state: 'failed' },
      });
      expect(
        report.nodes.filter((n) => n.reachable),
        JSON.stringify(report.checks.find((c) => c.id === 'nodes')),
      ).toHaveLength(7);
    }
  });
});
