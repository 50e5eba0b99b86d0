// Drives a recipe against a running lab through the real session and transports, auto-confirming every node
// (typed names and phrases included). Same approach as lab-e2e.test.ts.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findRecipe } from '../../../recipes/index.js';
import { openClusterSession } from '../../../src/commands/cluster-session.js';
import { nodeFactsFrom } from '../../../src/run/node-facts.js';
import { createRun, driveRun } from '../../../src/engine/driver.js';
import { planRun } from '../../../src/engine/plan.js';
import type { PlanOptions, PlanResult } from '../../../src/engine/plan-types.js';
import type { Clock, LogEvent, RunPorts } from '../../../src/engine/ports.js';
import { foldEvents, type RunState } from '../../../src/engine/reducer.js';
import { openFileJournal, readJournal } from '../../../src/journal/index.js';
import type { LabHandle } from '../../support/lab.js';
import type { Recipe } from '../../../src/recipe-schema/types.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const onAbort = () => (clearTimeout(t), resolve());
      const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** `recipe`: a shipped recipe's name, or a recipe object (a test's own phase list). */
export async function planLab(lab: LabHandle, recipe: string | Recipe, runId: string, options: PlanOptions = {}) {
  process.env.XDG_CONFIG_HOME ??= await mkdtemp(path.join(os.tmpdir(), 'kt-cfg-'));
  const session = await openClusterSession({ kubeconfig: lab.kubeconfig, inventory: lab.inventory });
  const report = await session.discover();
  const planned: PlanResult = planRun(typeof recipe === 'string' ? findRecipe(recipe)! : recipe, report, {
    runId,
    // 1 s, as `keyturn run --settle 1` in the tmux tests: the settle samples the unit at its start and its end
    // either way (its 5 s sampling interval is longer than the window), so a longer window only waits.
    settleSeconds: 1,
    nodeFacts: nodeFactsFrom(session.targets()),
    ...options,
  });
  return { session, planned };
}

/** Drives a recipe against the lab with an operator who answers yes; also returns the state folded from disk. */
export async function driveLab(
  lab: LabHandle,
  recipe: string | Recipe,
  runId: string,
  options: PlanOptions = {},
): Promise<{ state: RunState; fromDisk: RunState; logs: LogEvent[]; stateDir: string }> {
  const { session, planned } = await planLab(lab, recipe, runId, options);
  if (!planned.ok) throw new Error(planned.refusal.reason);
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'kt-state-'));
  const journal = await openFileJournal(stateDir, runId);
  const logs: LogEvent[] = [];
  const ports: RunPorts = {
    shell: (n) => session.shell(n),
    kube: session.gateway,
    clock: realClock,
    confirm: {
      confirmNode: async (req) => ({ answer: 'run', typedName: req.node, typedPhrase: req.requireTypedPhrase }),
      pause: async () => 'continue',
    },
    journal,
    log: { emit: (e) => logs.push(e) },
    onEvent: process.env.KT_DEBUG
      ? (e) => console.error(new Date().toISOString(), JSON.stringify(e).slice(0, 600))
      : undefined,
  };
  const operator = { user: 'test', host: 'ci' };
  const created = await createRun(ports, {
    plan: planned.plan,
    operator,
    cluster: { server: session.gateway?.server ?? null },
  });
  if (!created.ok) throw new Error(created.reason);
  let state: RunState;
  try {
    state = await driveRun(created.state, ports, { operator, resumed: false }, new AbortController().signal);
  } finally {
    await journal.close();
    await session.dispose();
  }
  const fromDisk = foldEvents((await readJournal(stateDir, runId)).events);
  if (!fromDisk) throw new Error(`journal of ${runId} folds to nothing`);
  return { state, fromDisk, logs, stateDir };
}
