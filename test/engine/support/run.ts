// Plans a recipe on a fake cluster and drives it with fake ports.
import { findRecipe } from '../../../recipes/index.js';
import { createRun, driveRun } from '../../../src/engine/driver.js';
import { planRun } from '../../../src/engine/plan.js';
import type { AgentWaveSize, Plan } from '../../../src/engine/plan-types.js';
import type { RunState } from '../../../src/engine/reducer.js';
import { foldEvents } from '../../../src/engine/reducer.js';
import type { Topology } from './clusters.js';
import { cluster } from './clusters.js';
import type { FakeOptions } from './fake-shell.js';
import { FakeCluster } from './fake-shell.js';
import type { Harness } from './ports.js';
import { FakeClock, harness, ScriptedConfirm } from './ports.js';

export const operator = { user: 'oncall', host: 'laptop' };

export interface Setup extends Harness {
  plan: Plan;
  fake: FakeCluster;
}

export async function setup(
  recipe: string,
  topology: Topology,
  opts: Partial<FakeOptions> & {
    confirm?: ScriptedConfirm;
    settleSeconds?: number;
    distro?: 'rke2' | 'k3s';
    agentWave?: AgentWaveSize;
  } = {},
): Promise<Setup> {
  const clock = new FakeClock();
  const r = planRun(findRecipe(recipe)!, cluster(topology, opts.distro ?? 'rke2'), {
    runId: 'run-1',
    settleSeconds: opts.settleSeconds,
    agentWave: opts.agentWave,
  });
  if (!r.ok) throw new Error(r.refusal.reason);
  const fake = new FakeCluster(r.plan, { now: () => clock.now(), ...opts });
  await fake.init();
  return { plan: r.plan, fake, ...harness(fake, clock, opts.confirm ?? new ScriptedConfirm()) };
}

export async function start(s: Setup, signal = new AbortController().signal): Promise<RunState> {
  const created = await createRun(s.ports, { plan: s.plan, operator, cluster: { server: 'https://fake:6443' } });
  if (!created.ok) throw new Error(created.reason);
  return driveRun(created.state, s.ports, { operator, resumed: false }, signal);
}

export async function resume(s: Setup, signal = new AbortController().signal): Promise<RunState> {
  const state = foldEvents(s.journal.events);
  if (!state) throw new Error('no run in journal');
  return driveRun(state, s.ports, { operator, resumed: true }, signal);
}
