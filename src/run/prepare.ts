// The one prepare step of a run, new or resumed: everything that is checked before the run screen asks the operator
// for go, without changing anything. A new run is planned over the scan (a fresh run id); a resumed one is folded
// from its journal and bound to the cluster and nodes it was created on. Both check that nobody else holds the run.
import type { Recipe } from '../recipe-schema/index.js';
import { describeCluster, sameCluster } from '../model/cluster-identity.js';
import type { StatusReport } from '../model/status.js';
import {
  DEFAULT_SETTLE_SECONDS,
  foldEvents,
  newRunId,
  planRun,
  renderRefusal,
  showLockHolder,
} from '../engine/index.js';
import type { AgentWaveSize, Plan, RunState } from '../engine/index.js';
import { expired, lockExpiresAt } from '../engine/index.js';
import { readJournal, readLocalLock } from '../journal/index.js';
import type { RunDeps, RunSession, RunTiming } from './deps.js';
import { nodeFactsFrom } from './node-facts.js';
import { refused, type RunOutcome } from './outcome.js';
import type { RunUi } from './ui-port.js';

/** What the conductor runs: a new plan (shown first, for go), or a journalled run to continue. */
export type RunInput =
  | { kind: 'new'; plan: Plan }
  /** agentWave: `resume --agent-wave`, the rest of the run's agents grouped anew. */
  | { kind: 'resume'; state: RunState; agentWave?: AgentWaveSize };

export type Prepared = { ok: true; input: RunInput } | { ok: false; outcome: RunOutcome };

/** Held by someone else (not this run), read-only: the one line that says who, which run, and until when. */
export async function lockRefusal(deps: RunDeps, plan: Plan, runId: string): Promise<string | null> {
  const local = await readLocalLock(deps.stateDir);
  if (local && local.runId !== runId && local.pid !== process.pid && isAlive(local.pid)) {
    return `keyturn: refusing to start: ${local.holder} is already running ${local.runId} from this workstation (pid ${local.pid}, since ${local.since})`;
  }
  const held = await showLockHolder({ kube: deps.session.gateway, shell: (n) => deps.session.shell(n) }, plan);
  if (held && held.runId !== runId && !expired(held, deps.clock.now())) {
    return `keyturn: refusing to start: the cluster's run lock is held by ${held.holder} (run ${held.runId}) until ${lockExpiresAt(held)}, when its TTL expires`;
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The one way a new run is planned: on the preview the wizard plans it again with another settle window. */
function planNew(deps: RunDeps, recipe: Recipe, report: StatusReport, runId: string, timing: RunTiming) {
  return planRun(recipe, report, { runId, ...timing, nodeFacts: nodeFactsFrom(deps.session.targets()) });
}

/** Settle windows the preview offers (cluster seconds): the recipe's, then longer and shorter ones. */
export const SETTLE_CHOICES = [300, 60, 30] as const;

/** Agent wave sizes the preview offers after the one given: one at a time, then shares of the agents. */
export const AGENT_WAVE_CHOICES: readonly AgentWaveSize[] = [
  { count: 1 },
  { percent: 10 },
  { percent: 20 },
  { percent: 50 },
];

const sameSize = (a: AgentWaveSize, b: AgentWaveSize) =>
  'count' in a ? 'count' in b && a.count === b.count : 'percent' in b && a.percent === b.percent;

/**
 * Offers the settle window on the plan preview, as `run --settle` sets it (s cycles the choices), and, when the plan
 * has more than one agent, the agent wave size, as `run --agent-wave` sets it (w cycles). Each new choice plans
 * again with both.
 */
export function offerSettle(
  deps: RunDeps,
  ui: RunUi,
  recipe: Recipe,
  report: StatusReport,
  plan: Plan,
  timing: RunTiming = {},
): void {
  const chosen: RunTiming = { ...timing };
  const replan = (patch: RunTiming): Plan | null => {
    const again = planNew(deps, recipe, report, plan.runId, { ...chosen, ...patch });
    if (!again.ok) return null;
    Object.assign(chosen, patch);
    return again.plan;
  };
  const first = timing.settleSeconds ?? recipe.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  const choices = [first, ...SETTLE_CHOICES.filter((c) => c !== first)];
  ui.offerSettle(
    { seconds: first, choices, ...(timing.timeScale ? { timeScale: timing.timeScale } : {}) },
    (settleSeconds) => replan({ settleSeconds }),
  );
  const agents = plan.nodes.filter((n) => !n.server).length;
  if (agents > 1) {
    const size = timing.agentWave ?? { count: 1 };
    ui.offerAgentWave(
      {
        size,
        choices: [size, ...AGENT_WAVE_CHOICES.filter((c) => !sameSize(c, size))],
        agents,
        resolved: plan.agentWave ?? 1,
      },
      (agentWave) => replan({ agentWave }),
    );
  }
}

/** Plans the recipe over the report (a fresh run id) and checks the locks, without changing anything. */
export async function prepareNewRun(
  deps: RunDeps,
  recipe: Recipe,
  report: StatusReport,
  timing: RunTiming = {},
): Promise<Prepared> {
  const runId = newRunId(recipe.name, deps.clock.now());
  const result = planNew(deps, recipe, report, runId, timing);
  if (!result.ok)
    return { ok: false, outcome: refused(deps.say.withOptions(renderRefusal(recipe.name, result.refusal).trimEnd())) };
  if (result.plan.support !== 'full') {
    return {
      ok: false,
      outcome: refused(
        `keyturn: ${recipe.name} is plan-only in this release: review \`${deps.say.command(['plan', recipe.name])}\` and follow it by hand`,
      ),
    };
  }
  const refusal = await lockRefusal(deps, result.plan, runId);
  if (refusal) return { ok: false, outcome: refused(refusal) };
  return { ok: true, input: { kind: 'new', plan: result.plan } };
}

/**
 * A journalled run may continue only on the cluster it was created on: node names repeat across clusters, and a
 * resume that matched names alone stopped and restarted another cluster's etcd server. The one line names both.
 */
export function otherClusterRefusal(state: RunState, session: RunSession): string | null {
  const now = session.identity();
  if (!now || sameCluster(state.cluster, now)) return null;
  return `keyturn: refusing to continue ${state.runId}: it was started on ${describeCluster(state.cluster)}, and this is ${describeCluster(now)} — pass that cluster's --kubeconfig/--inventory`;
}

/** Nodes of a journalled plan the fresh scan did not reach: a resumed run cannot drive them. */
export function missingNodes(plan: Plan, session: RunSession): string[] {
  const reached = new Set(session.targets().map((t) => t.name));
  return plan.nodes.map((n) => n.name).filter((n) => !reached.has(n));
}

/** How a resume names itself: `keyturn resume` on the CLI, "continue" on the wizard's dashboard. */
export interface ResumeWording {
  verb: 'resume' | 'continue';
  /** What the operator checks when the scan did not reach a node of the run. */
  reachFix: string;
  /** Called once the run is known to be this cluster's (the CLI says which run it resumes). */
  onBound?: (runId: string) => void;
}

/** Folds the run's journal and checks it may continue here: this cluster, every node reached, nobody else's lock. */
export async function prepareResume(deps: RunDeps, runId: string, wording: ResumeWording): Promise<Prepared> {
  const state = foldEvents((await readJournal(deps.stateDir, runId)).events);
  if (!state)
    return {
      ok: false,
      outcome: refused(
        `keyturn: the journal of ${runId} does not start with run-created; see \`${deps.say.command(['report', runId])}\``,
      ),
    };
  const elsewhere = otherClusterRefusal(state, deps.session);
  if (elsewhere) return { ok: false, outcome: refused(elsewhere) };
  wording.onBound?.(runId);
  const missing = missingNodes(state.plan, deps.session);
  if (missing.length > 0)
    return {
      ok: false,
      outcome: refused(
        `keyturn: cannot ${wording.verb} ${runId}: the scan did not reach ${missing.join(', ')} — ${wording.reachFix}`,
      ),
    };
  const refusal = await lockRefusal(deps, state.plan, state.runId);
  if (refusal) return { ok: false, outcome: refused(refusal) };
  return { ok: true, input: { kind: 'resume', state } };
}
