// The SSH connection to a node dropped in the middle of a step (every sshd connection process of that node killed
// while its `systemctl start` is in flight): the step fails as a connection failure, the run stops there — it
// does not retry a disruptive command it cannot see — and a resume over fresh connections checks the step in
// flight before anything runs again. The lab's record shows no disruptive command repeated or skipped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateCerts } from '../../recipes/rotate-certs.js';
import { haveBinaries } from '../support/binaries.js';
import { startLab, type LabHandle } from '../support/lab.js';
import { sshInventoryFor, startSshdPerNode, type TestSshd } from '../support/sshd.js';
import {
  ALL_ONCE,
  disruptiveCounts,
  finishes,
  newStateDir,
  planLabRun,
  readBack,
  resumeLabRun,
  startLabRun,
} from './support-lab-run.js';

const available = haveBinaries('ssh', 'sshd');

describe.skipIf(!available)('SSH dropped in the middle of a step (single rke2 over real sshd)', () => {
  let lab: LabHandle;
  let sshds: Map<string, TestSshd>;
  let dir = '';
  let access: { kubeconfig: string; inventory: string };

  beforeAll(async () => {
    lab = await startLab({ topology: 'single', distro: 'rke2', speed: 30 });
    sshds = await startSshdPerNode(lab);
    dir = mkdtempSync(path.join(os.tmpdir(), 'kt-ssh-drop-'));
    const inventory = path.join(dir, 'inventory-ssh.yaml');
    writeFileSync(inventory, sshInventoryFor(lab, sshds));
    access = { kubeconfig: lab.kubeconfig, inventory };
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([lab?.stop(), ...[...(sshds?.values() ?? [])].map((d) => d.stop())]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the step fails as a connection failure and the run stops; resume checks the step in flight and finishes', async () => {
    const since = new Date().toISOString();
    const stateDir = newStateDir(dir);
    const plan = await planLabRun(access, rotateCerts, 'ssh-drop');
    const startKey = 'rotate-certs/server-1/servers.start';
    const server = sshds.get('server-1')!;
    let dropped = 0;

    const first = await startLabRun(access, plan, stateDir, {
      beforeExec: async ({ step, script }) => {
        if (dropped > 0 || step?.key !== startKey || script !== step.command) return;
        // Every node command now waits 3 s on the node before it runs (the lab's latency fault): the start is on
        // the node, in flight, when every connection of that node — the control master included — is cut.
        await lab.fault('latency', ['3000']);
        setTimeout(() => {
          void (async () => {
            const pids = await server.connectionPids();
            dropped = pids.length;
            for (const pid of pids) process.kill(pid, 'SIGKILL');
            await lab.fault('latency', ['0']);
          })();
        }, 600);
      },
    });
    expect(dropped).toBeGreaterThan(0);
    expect(first.state.outcome.status).toBe('failed');
    const failure = first.state.outcome.status === 'failed' ? first.state.outcome.failure : null;
    expect(failure).toMatchObject({ node: 'server-1', key: startKey, check: 'connection' });
    expect(failure?.fix).toMatch(/resume|ssh|reach/i);
    // Nothing ran after the dropped step: agent-1 was never touched.
    expect(disruptiveCounts(await lab.record(), since)['agent-1']).toBeUndefined();

    const second = await resumeLabRun(access, stateDir, plan.runId);
    expect(second.state.outcome.status).toBe('succeeded');
    const checked = second.events.find((e) => e.type === 'step-checked' && e.key === startKey);
    expect(checked).toBeDefined();

    const { read, state } = await readBack(stateDir, plan.runId);
    expect(read.events.length).toBeGreaterThan(0);
    expect(state.outcome.status).toBe('succeeded');
    expect(
      Object.entries(state.steps)
        .filter(([, s]) => s.status !== 'done')
        .map(([k]) => k),
    ).toEqual([]);
    // The dropped step finished once as failed and once done; no other step finished twice.
    const twice = [...finishes(read.events)].filter(([, outcomes]) => outcomes.length > 1);
    expect(twice).toEqual([[startKey, ['failed', 'done']]]);
    const counts = disruptiveCounts(await lab.record(), since);
    expect(counts).toEqual({ 'server-1': ALL_ONCE, 'agent-1': ALL_ONCE });
  }, 240_000);
});
