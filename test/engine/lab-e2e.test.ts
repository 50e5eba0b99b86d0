// End to end against the lab (real systemctl/journalctl/<prog> commands, real etcd when installed, real API),
// through the real transports: the engine has no lab-only code path.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { openClusterSession } from '../../src/commands/cluster-session.js';
import { nodeFactsFrom } from '../../src/commands/plan.js';
import { createRun, driveRun } from '../../src/engine/driver.js';
import { planRun } from '../../src/engine/plan.js';
import type { Clock, LogEvent, RunPorts } from '../../src/engine/ports.js';
import { renderReport } from '../../src/engine/report.js';
import { foldEvents } from '../../src/engine/reducer.js';
import { openFileJournal, readJournal } from '../../src/journal/index.js';
import { type LabHandle, startLab } from '../support/lab.js';

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    }),
};

let lab: LabHandle | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

async function drive(recipe: string, runId: string) {
  process.env.XDG_CONFIG_HOME ??= await mkdtemp(path.join(os.tmpdir(), 'kt-cfg-'));
  const session = await openClusterSession({ kubeconfig: lab!.kubeconfig, inventory: lab!.inventory });
  const report = await session.discover();
  const planned = planRun(findRecipe(recipe)!, report, { runId, settleSeconds: 2, nodeFacts: nodeFactsFrom(session.targets()) });
  if (!planned.ok) throw new Error(planned.refusal.reason);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'kt-state-'));
  const journal = await openFileJournal(stateDir, runId);
  const logs: LogEvent[] = [];
  const ports: RunPorts = {
    shell: (n) => session.shell(n),
    kube: session.gateway,
    clock: realClock,
    confirm: { confirmNode: async (req) => ({ answer: 'run', typedName: req.node }), pause: async () => 'continue' },
    journal,
    log: { emit: (e) => logs.push(e) },
  };
  const operator = { user: 'test', host: 'ci' };
  const created = await createRun(ports, { plan: planned.plan, operator, server: session.gateway?.server ?? null });
  if (!created.ok) throw new Error(created.reason);
  const state = await driveRun(created.state, ports, { operator, resumed: false }, new AbortController().signal);
  await journal.close();
  await session.dispose();
  const fromDisk = foldEvents((await readJournal(stateDir, runId)).events)!;
  return { state, fromDisk, logs };
}

describe('engine against the lab', () => {
  // rke2 rotate-certs and the parallel-restart recovery run through the real screen in test/e2e; here k3s.
  it('rotate-certs on a split k3s lab: every leaf renewed, one server down at a time', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s' });
    const { state, fromDisk, logs } = await drive('rotate-certs', 'lab-rotate');
    const report = renderReport(fromDisk);
    expect(state.outcome.status, report).toBe('succeeded');
    expect(fromDisk.outcome.status).toBe('succeeded');
    expect(logs.some((l) => l.type === 'line')).toBe(true);
    const servers = new Set(lab.nodes.filter((n) => n.roles.some((r) => r !== 'worker')).map((n) => n.name));
    const down = new Set<string>();
    let max = 0;
    let sawStop = false;
    for (const e of await lab.record()) {
      if (e.type === 'command' && e.prog === 'systemctl' && e.argv[0] === 'stop') sawStop = true;
      if (e.type === 'command' && e.prog === 'systemctl' && e.argv[0] === 'stop') expect(['k3s', 'k3s-agent']).toContain(e.argv[e.argv.length - 1]);
      if (!sawStop || e.type !== 'service' || !servers.has(e.node)) continue;
      if (e.to === 'active') down.delete(e.node);
      else down.add(e.node);
      max = Math.max(max, down.size);
    }
    expect(max).toBe(1);
  }, 240_000);

  it('recover-restart-loop on a k3s ha lab', async () => {
    lab = await startLab({ topology: 'ha', distro: 'k3s' });
    const { state } = await drive('recover-restart-loop', 'lab-recover');
    expect(state.outcome.status, renderReport(state)).toBe('succeeded');
  }, 240_000);

  it('renew-expired-certs brings back a lab that was down past expiry', async () => {
    lab = await startLab({ topology: 'split', distro: 'k3s' });
    await lab.fault('expire-certs');
    const { state } = await drive('renew-expired-certs', 'lab-renew');
    const report = renderReport(state);
    expect(state.outcome.status, report).toBe('succeeded');
    expect(report).not.toContain('not read |');
  }, 240_000);
});
