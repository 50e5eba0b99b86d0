// Settle and wait on a Type=notify unit (field-notes "Restart loops"): a start in progress (activating/start) is
// waited for however slow, never called a loop; a loop (activating/auto-restart, NRestarts rising) stops the run
// at the first sample that shows it, not at a timeout.
import { describe, expect, it } from 'vitest';
import { createRun, driveRun } from '../../src/engine/driver.js';
import type { RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Recipe, Step } from '../../src/recipe-schema/types.js';
import { cluster } from './support/clusters.js';
import { FakeCluster, type FakeOptions } from './support/fake-shell.js';
import { FakeClock, harness, ScriptedConfirm } from './support/ports.js';
import { operator } from './support/run.js';
import { describeWaitProgress } from '../../src/engine/handlers/wait-progress.js';

/** One phase over the etcd servers: a non-blocking start, then the given steps. */
function recipeWith(steps: Step[]): Recipe {
  return {
    name: 'recover-restart-loop',
    title: 'test',
    summary: 'test',
    support: 'full',
    settleSeconds: 30,
    phases: [
      {
        id: 'start',
        title: 'start',
        nodes: 'etcd-servers',
        steps: [
          {
            id: 'start',
            kind: 'command',
            title: 'start',
            run: { op: 'service', action: 'start', noBlock: true },
            timeoutSeconds: 60,
          },
          ...steps,
        ],
      },
    ],
    references: [],
  };
}

async function drive(recipe: Recipe, opts: Partial<FakeOptions>) {
  const clock = new FakeClock();
  const planned = planRun(recipe, cluster('split'), { runId: 'run-1' });
  if (!planned.ok) throw new Error(planned.refusal.reason);
  const fake = new FakeCluster(planned.plan, { now: () => clock.now(), ...opts });
  await fake.init();
  for (const n of fake.nodes.values()) n.state = 'inactive';
  const h = harness(fake, clock, new ScriptedConfirm());
  const created = await createRun(h.ports, { plan: planned.plan, operator, cluster: { server: 'https://fake:6443' } });
  if (!created.ok) throw new Error(created.reason);
  const startedAt = clock.now();
  const state = await driveRun(created.state, h.ports, { operator, resumed: false }, new AbortController().signal);
  const shows = (node: string) =>
    fake.scripts.filter(
      (x) => x.node === node && /^systemctl show -p ActiveState,(SubState,)?NRestarts /.test(x.script),
    );
  const finished = (key: string) =>
    h.journal.events.find(
      (e): e is Extract<RunEvent, { type: 'step-finished' }> => e.type === 'step-finished' && e.key === key,
    );
  const waiting = (key: string) =>
    h.logs.flatMap((l) => (l.type === 'waiting' && l.key === key ? [describeWaitProgress(l.wait)] : []));
  return { state, fake, shows, finished, waiting, elapsedMs: () => clock.now() - startedAt };
}

const settle: Step = { id: 'settle', kind: 'settle', title: 'Watch for restarts' };
const activeWait: Step = {
  id: 'active',
  kind: 'wait',
  title: 'Service active',
  until: { condition: 'unit-state', states: ['active'] },
  timeoutSeconds: 600,
};

describe('settle', () => {
  it('a slow start (activating/start for several samples, no restart) is waited for and passes', async () => {
    // Eight samples 5 s apart: 40 s in activating/start, longer than the 30 s window.
    const r = await drive(recipeWith([settle]), { slowStart: { 'etcd-1': 8, 'etcd-2': 8, 'etcd-3': 8 } });
    expect(r.state.outcome.status).toBe('succeeded');
    const done = r.finished('recover-restart-loop/etcd-1/start.settle')!;
    expect(done.result.status === 'done' && done.result.summary).toMatch(
      /^rke2-server active\/running for \d+s, NRestarts 0 → 0$/,
    );
    expect(r.shows('etcd-1')).toHaveLength(8);
  });

  it('a loop is caught at the first sample that shows auto-restart, before NRestarts moves again', async () => {
    const r = await drive(recipeWith([{ ...settle, accept: ['activating', 'active'] }]), { crashLoop: ['etcd-1'] });
    expect(r.state.outcome.status).toBe('failed');
    const f = r.state.outcome.status === 'failed' ? r.state.outcome.failure : null;
    expect(f).toMatchObject({ node: 'etcd-1', check: 'unit-active', key: 'recover-restart-loop/etcd-1/start.settle' });
    expect(f!.message).toBe(
      'rke2-server on etcd-1 is activating/auto-restart (a try failed; systemd restarts it in RestartSec) during the settle window: a restart loop',
    );
    expect(r.shows('etcd-1')).toHaveLength(1);
    expect(r.elapsedMs()).toBeLessThan(1000);
  });

  it('a start that never reports ready fails as a slow start, not as a loop', async () => {
    const r = await drive(recipeWith([settle]), { slowStart: { 'etcd-1': 10_000 } });
    const f = r.state.outcome.status === 'failed' ? r.state.outcome.failure : null;
    expect(f?.message).toMatch(
      /^rke2-server on etcd-1 is still starting \(activating\/start, no restart\) after 60\ds: a slow start, not a restart loop$/,
    );
    expect(f?.fix).not.toContain('recover-restart-loop');
  });
});

describe('wait until active', () => {
  it('waits through a slow start', async () => {
    const r = await drive(recipeWith([activeWait]), { slowStart: { 'etcd-1': 6, 'etcd-2': 6, 'etcd-3': 6 } });
    expect(r.state.outcome.status).toBe('succeeded');
  });

  it('stops at a restart loop instead of waiting out its timeout', async () => {
    const r = await drive(recipeWith([activeWait]), { crashLoop: ['etcd-1'] });
    const f = r.state.outcome.status === 'failed' ? r.state.outcome.failure : null;
    expect(f).toMatchObject({ node: 'etcd-1', check: 'unit-active', key: 'recover-restart-loop/etcd-1/start.active' });
    expect(f!.message).toMatch(
      /^rke2-server is activating\/auto-restart, NRestarts 1 → 2: a restart loop after \d+s, while waiting until/,
    );
    expect(r.elapsedMs()).toBeLessThan(60_000);
  });
});

describe("where a wait stands (the run screen shows it as the running step's detail)", () => {
  it('settle: seconds of the window, restarts, state; past the window while still starting, the start limit', async () => {
    const r = await drive(recipeWith([settle]), { slowStart: { 'etcd-1': 8, 'etcd-2': 8, 'etcd-3': 8 } });
    const seen = r.waiting('recover-restart-loop/etcd-1/start.settle');
    expect(seen[0]).toBe('0 s of 30 s · 0 restarts · activating/start');
    expect(seen).toContain('25 s of 30 s · 0 restarts · activating/start');
    expect(seen).toContain('30 s of 600 s · 0 restarts · activating/start · still starting');
    expect(seen.at(-1)).toBe('35 s of 600 s · 0 restarts · active/running');
  });

  it('settle: a window that simply ends shows the window to the end, never the start limit', async () => {
    const r = await drive(recipeWith([settle]), {});
    const seen = r.waiting('recover-restart-loop/etcd-1/start.settle');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.filter((w) => !/ s of 30 s · /.test(w))).toEqual([]);
  });

  it('wait: what it waits for and its last reading', async () => {
    const r = await drive(recipeWith([activeWait]), { slowStart: { 'etcd-1': 3, 'etcd-2': 3, 'etcd-3': 3 } });
    const seen = r.waiting('recover-restart-loop/etcd-1/start.active');
    expect(seen[0]).toMatch(/^0 s of 600 s · until .+: rke2-server is activating\/start, NRestarts 0 → 0$/);
    expect(seen.at(-1)).toMatch(/ s of 600 s · until .+: rke2-server is active\/running, NRestarts 0 → 0$/);
  });

  it('gate: the check pending, its last answer, when the gate times out', async () => {
    const gate: Step = {
      id: 'gate',
      kind: 'gate',
      title: 'Healthy',
      checks: [{ check: 'unit-active' }],
      timeoutSeconds: 60,
    };
    const r = await drive(recipeWith([gate]), { slowStart: { 'etcd-1': 3, 'etcd-2': 3, 'etcd-3': 3 } });
    expect(r.state.outcome.status).toBe('succeeded');
    const seen = r.waiting('recover-restart-loop/etcd-1/start.gate');
    expect(seen[0]).toBe('0 s of 60 s · unit-active pending: rke2-server is activating/start · times out in 60 s');
    expect(seen.length).toBeGreaterThan(1);
  });
});
