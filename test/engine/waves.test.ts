// Agents in waves (--agent-wave): the plan groups only agents, a wave is confirmed once and its nodes change
// together, one verdict names every node that failed, and a wave interrupted half way resumes node by node.
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import type { RunEvent } from '../../src/engine/events.js';
import { planRun } from '../../src/engine/plan.js';
import type { Plan } from '../../src/engine/plan-types.js';
import { foldEvents, nextAction } from '../../src/engine/reducer.js';
import { renderPlanText } from '../../src/engine/render-plan.js';
import { renderReport } from '../../src/engine/report.js';
import { resolveWaveSize } from '../../src/engine/waves.js';
import { nodeProgress } from '../../src/engine/node-progress.js';
import { cluster } from './support/clusters.js';
import type { Transition } from './support/fake-shell.js';
import { Killed } from './support/ports.js';
import { operator, resume, setup, start } from './support/run.js';
import { driveRun } from '../../src/engine/driver.js';

const plan = (agentWave?: { count: number } | { percent: number }, agents = 5): Plan => {
  const r = planRun(findRecipe('rotate-certs')!, cluster({ large: agents }), { runId: 'run-1', agentWave });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
};

const finishedKeys = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'step-finished' && e.result.status === 'done' ? [e.key] : []));

/** The most agents not active at once, over the fake's service transitions. */
function maxAgentsDown(transitions: readonly Transition[]): number {
  const down = new Set<string>();
  let max = 0;
  for (const t of transitions) {
    if (t.server) continue;
    if (t.to === 'active') down.delete(t.node);
    else down.add(t.node);
    max = Math.max(max, down.size);
  }
  return max;
}

describe('plan: agent waves', () => {
  it('default and --agent-wave 1 give exactly the plan of one node at a time', () => {
    const none = plan();
    expect(plan({ count: 1 })).toEqual(none);
    expect(plan({ percent: 10 })).toEqual(none); // 10% of 5 agents rounds up to 1
    expect(none.waves).toBeUndefined();
    expect(renderPlanText(none)).not.toMatch(/wave/i);
  });

  it('P% rounds up, at least 1', () => {
    expect(resolveWaveSize({ percent: 10 }, 197)).toBe(20);
    expect(resolveWaveSize({ percent: 20 }, 200)).toBe(40);
    expect(resolveWaveSize({ percent: 1 }, 5)).toBe(1);
    expect(resolveWaveSize({ count: 3 }, 2)).toBe(3);
    expect(resolveWaveSize(undefined, 200)).toBe(1);
  });

  it('groups only agents, in rotation order, at most N a wave; step keys stay per node', () => {
    const p = plan({ count: 2 });
    expect(p.agentWave).toBe(2);
    expect(p.waves!.map((w) => w.nodes)).toEqual([['agent-1', 'agent-2'], ['agent-3', 'agent-4'], ['agent-5']]);
    expect(p.waves!.map((w) => w.key)).toEqual([
      'rotate-certs/agents/wave-1',
      'rotate-certs/agents/wave-2',
      'rotate-certs/agents/wave-3',
    ]);
    const servers = new Set(p.nodes.filter((n) => n.server).map((n) => n.name));
    expect(p.waves!.flatMap((w) => w.nodes).some((n) => servers.has(n))).toBe(false);
    // The same blocks and step keys as one at a time: a journal of either continues with the other.
    expect(p.blocks.flatMap((b) => b.steps.map((s) => s.key))).toEqual(
      plan().blocks.flatMap((b) => b.steps.map((s) => s.key)),
    );
    const text = renderPlanText(p);
    expect(text).toContain('Agents in waves of at most 2 (3 waves)');
    expect(text).toContain('== wave 2 of 3 (agents): agent-3, agent-4 (confirm y/s/q once for the wave)');
    expect(text).toMatch(
      /Workloads keep running through an agent restart \(no drain\): rke2-agent\.service has KillMode=process/,
    );
    expect(text).toContain('Servers stay one at a time');
  });

  it('says why workloads keep running per distro (k3s: the unit install.sh writes)', () => {
    const r = planRun(findRecipe('rotate-certs')!, cluster({ large: 4 }, 'k3s'), { agentWave: { count: 2 } });
    expect(r.ok && renderPlanText(r.plan)).toMatch(/the k3s-agent unit install\.sh writes has KillMode=process/);
  });
});

describe('driveRun: agent waves', () => {
  it('asks once per wave, takes the wave down together, servers still one at a time', async () => {
    const s = await setup('rotate-certs', { large: 5 }, { agentWave: { count: 2 } });
    const state = await start(s);
    expect(state.outcome.status).toBe('succeeded');
    const agentQuestions = s.confirm.asked.filter((q) => q.node.startsWith('agent-'));
    expect(agentQuestions.map((q) => q.wave?.nodes)).toEqual([
      ['agent-1', 'agent-2'],
      ['agent-3', 'agent-4'],
      ['agent-5'],
    ]);
    expect(s.fake.maxServersDownAtOnce()).toBe(1);
    expect(maxAgentsDown(s.fake.transitions)).toBe(2);
    // Every step ran once, per node, under the same keys as one at a time.
    const keys = finishedKeys(s.journal.events);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(s.plan.blocks.flatMap((b) => b.steps.map((x) => x.key)).sort());
    const confirmed = s.journal.events.filter((e) => e.type === 'wave-confirmed');
    expect(confirmed.map((e) => e.type === 'wave-confirmed' && e.nodes)).toEqual([
      ['agent-1', 'agent-2'],
      ['agent-3', 'agent-4'],
      ['agent-5'],
    ]);
    expect(renderReport(state)).toMatch(
      /## Agent waves[\s\S]*\| 2 of 3 \(agents\) \| agent-3, agent-4 \| .+ \| passed \|/,
    );
  });

  it('a wave of 12 agents listening on the run signal at once prints no MaxListeners warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const s = await setup('rotate-certs', { large: 12 }, { agentWave: { count: 12 } });
      const signal = new AbortController().signal;
      const state = await start(s, signal);
      expect(state.outcome.status).toBe('succeeded');
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('the node strip marks every node of the wave in flight as now, and the first after it as next', async () => {
    const s = await setup('rotate-certs', { large: 3 }, { agentWave: { count: 2 } });
    await start(s);
    const cut = s.journal.events.findIndex((e) => e.type === 'wave-confirmed') + 3;
    const state = foldEvents(s.journal.events.slice(0, cut))!;
    const strip = Object.fromEntries(nodeProgress(state).map((n) => [n.name, n.progress]));
    expect(strip).toMatchObject({ 'agent-1': 'now', 'agent-2': 'now', 'agent-3': 'next', 'cp-2': 'done' });
  });

  it('one verdict for the wave names every node that failed it', async () => {
    const s = await setup(
      'rotate-certs',
      { large: 4 },
      {
        agentWave: { count: 4 },
        // agent-4 fails first (its stop), agent-2 later (its rotate): the verdict lists them in the wave's order.
        hook: (node, script) =>
          (node === 'agent-2' && script === 'rke2 certificate rotate') ||
          (node === 'agent-4' && script === 'systemctl stop rke2-agent')
            ? { node, script, outcome: 'exit', code: 1, stdout: '', stderr: 'FATA boom', durationMs: 1 }
            : undefined,
      },
    );
    const state = await start(s);
    expect(state.outcome.status).toBe('failed');
    if (state.outcome.status !== 'failed') return;
    expect(state.outcome.failure.nodes).toEqual(['agent-2', 'agent-4']);
    expect(state.outcome.failure.message).toMatch(/2 nodes of wave 1 of 1 \(4 agents\) failed: agent-2 .*agent-4/);
    // The wave's other nodes went through to their gate.
    expect(state.steps['rotate-certs/agent-1/agents.gate'].status).toBe('done');
    expect(state.steps['rotate-certs/agent-3/agents.gate'].status).toBe('done');
    expect(s.journal.events.find((e) => e.type === 'wave-finished')).toMatchObject({ failed: ['agent-2', 'agent-4'] });
    expect(renderReport(state)).toContain('**FAILED** on agent-2, agent-4');
  });

  it('a wave killed half way resumes node by node: no step repeated, none skipped', async () => {
    const probe = await setup('rotate-certs', { large: 3 }, { agentWave: { count: 3 } });
    await start(probe);
    const firstWave = probe.journal.events.findIndex((e) => e.type === 'wave-confirmed');
    const waveEnd = probe.journal.events.findIndex((e) => e.type === 'wave-finished');
    for (let cut = firstWave + 2; cut < waveEnd; cut += 3) {
      const s = await setup('rotate-certs', { large: 3 }, { agentWave: { count: 3 } });
      s.journal.killAfter = cut;
      await expect(start(s)).rejects.toBeInstanceOf(Killed);
      const before = finishedKeys(s.journal.events);
      const halfway = foldEvents(s.journal.events)!;
      s.journal.killAfter = null;
      s.confirm.asked.length = 0;
      const state = await resume(s);
      expect(state.outcome.status, `cut ${cut}`).toBe('succeeded');
      const keys = finishedKeys(s.journal.events);
      expect(new Set(keys).size, `cut ${cut}: a step finished twice`).toBe(keys.length);
      expect(keys.length, `cut ${cut}: a step was skipped`).toBe(s.plan.blocks.flatMap((b) => b.steps).length);
      const startedAfter = s.journal.events.slice(cut).flatMap((e) => (e.type === 'step-started' ? [e.key] : []));
      expect(
        startedAfter.filter((k) => before.includes(k)),
        `cut ${cut}`,
      ).toEqual([]);
      // The started wave went on node by node: one question per unfinished agent, none for the wave.
      const unfinished = ['agent-1', 'agent-2', 'agent-3'].filter((n) =>
        s.plan.blocks
          .find((b) => b.key === `rotate-certs/${n}/agents`)!
          .steps.some((p) => !['done', 'skipped'].includes(halfway.steps[p.key].status)),
      );
      expect(s.confirm.asked.map((q) => [q.node, q.wave === undefined])).toEqual(unfinished.map((n) => [n, true]));
      for (const node of ['agent-1', 'agent-2', 'agent-3'])
        for (const cmd of ['systemctl stop rke2-agent', 'rke2 certificate rotate', 'systemctl start rke2-agent'])
          expect(
            s.fake.scripts.filter((x) => x.node === node && x.script === cmd).length,
            `cut ${cut} ${node} ${cmd}`,
          ).toBe(1);
    }
  });

  it('a journal written one at a time resumes under a plan with waves (same keys), and vice versa', async () => {
    const one = await setup('rotate-certs', { large: 4 });
    const cut = 40;
    one.journal.killAfter = cut;
    await expect(start(one)).rejects.toBeInstanceOf(Killed);
    // The same events folded over the wave plan: its state is the same, and the next wave is asked as a wave.
    const waved = plan({ count: 2 }, 4);
    const [created, ...rest] = one.journal.events;
    if (created.type !== 'run-created') throw new Error('no run-created');
    const state = foldEvents([{ ...created, plan: { ...waved, runId: created.runId } }, ...rest])!;
    const plain = foldEvents(one.journal.events)!;
    expect(state.steps).toEqual(plain.steps);
    expect(nextAction(state)).toEqual(nextAction(plain)); // a server's step: no wave involved yet
  });

  it('resume --agent-wave regroups the rest of a one-at-a-time run (and 1 ungroups a waved one): nothing repeats', async () => {
    for (const [planned, resumedWith, expected] of [
      [undefined, { count: 2 }, ['agent-1', 'agent-2', 'wave:agent-3,agent-4', 'wave:agent-5']],
      [{ count: 2 }, { count: 1 }, ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5']],
    ] as const) {
      const s = await setup('rotate-certs', { large: 5 }, planned ? { agentWave: planned } : {});
      // Killed once agent-1 (the first agent) has been stopped.
      s.fake.opts.hook = (node, script) => {
        if (node === 'agent-1' && script === 'systemctl stop rke2-agent') s.journal.killAfter = s.journal.events.length;
      };
      await expect(start(s)).rejects.toBeInstanceOf(Killed);
      s.fake.opts.hook = undefined;
      s.journal.killAfter = null;
      s.confirm.asked.length = 0;
      const before = finishedKeys(s.journal.events);
      const state = await driveRun(
        foldEvents(s.journal.events)!,
        s.ports,
        { operator, resumed: true, agentWave: resumedWith },
        new AbortController().signal,
      );
      expect(state.outcome.status).toBe('succeeded');
      const asked = s.confirm.asked
        .filter((q) => q.node.startsWith('agent-'))
        .map((q) => (q.wave ? `wave:${q.wave.nodes.join(',')}` : q.node));
      expect(asked).toEqual(expected);
      const keys = finishedKeys(s.journal.events);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(s.plan.blocks.flatMap((b) => b.steps).length);
      expect(keys.filter((k) => before.includes(k)).length).toBe(before.length);
      for (const node of ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5'])
        expect(s.fake.scripts.filter((x) => x.node === node && x.script === 'systemctl stop rke2-agent')).toHaveLength(
          1,
        );
      expect(s.fake.maxServersDownAtOnce()).toBe(1);
    }
  });

  it('refuses loudly a wave that holds a server (a hand-edited journal), before anything runs', async () => {
    const s = await setup('rotate-certs', { large: 2 }, { agentWave: { count: 2 } });
    const wave = s.plan.waves![0];
    s.plan.waves![0] = {
      ...wave,
      nodes: ['cp-2', ...wave.nodes],
      blocks: ['rotate-certs/cp-2/servers', ...wave.blocks],
    };
    // Only the agents' wave is left to run: the servers before it are done.
    const state = await start(s);
    expect(state.outcome.status).toBe('failed');
    if (state.outcome.status !== 'failed') return;
    expect(state.outcome.failure.check).toBe('disruption');
    expect(state.outcome.failure.message).toMatch(
      /refusing rotate-certs\/agents\/wave-1: it holds server cp-2.*never two servers down at once/,
    );
    expect(s.fake.scripts.filter((x) => x.node.startsWith('agent-') && x.script.startsWith('systemctl stop'))).toEqual(
      [],
    );
  });
});
