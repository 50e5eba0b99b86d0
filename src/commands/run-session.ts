// The pieces `keyturn run`, `keyturn resume` and the wizard share to run a recipe: plan it over a fresh scan,
// check nobody else holds the run, then (after the operator says go) take the workstation lock and the cluster
// run lock, journal, drive the engine through the run bridge, keep the lease renewed, and release everything.
import { createElement } from 'react';
import type { Recipe } from '../recipe-schema/index.js';
import { describeCluster, sameCluster } from '../model/cluster-identity.js';
import type { StatusReport } from '../model/status.js';
import { acquireRunLock, createRun, DEFAULT_SETTLE_SECONDS, driveRun, newRunId, planRun, renderRefusal, showLockHolder, applyEvent } from '../engine/index.js';
import { startCommandFor, startStoppedNode, stoppedLine, stoppedNodes } from '../engine/index.js';
import type { Clock, Operator, Plan, RunEvent, RunPorts, RunState } from '../engine/index.js';
import { expired, lockExpiresAt } from '../engine/index.js';
import { acquireLocalLock, openFileJournal, readLocalLock } from '../journal/index.js';
import { RunBridge } from '../hooks/run-bridge.js';
import type { ClusterSession } from './cluster-session.js';
import { nodeFactsFrom } from './plan.js';
import { INTERRUPTED_EXIT_CODE, type ClusterOptions } from './options.js';
import { keyturnCommand, withSessionOptions } from './keyturn-command.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface RunDeps {
  session: ClusterSession;
  stateDir: string;
  operator: Operator;
  clock: Clock;
  /** The operator's --kubeconfig, --context, --inventory, --state-dir: carried by every command keyturn suggests. */
  options: ClusterOptions;
}

export { currentOperator } from './operator.js';

export const holderOf = (op: Operator): string => `${op.user}@${op.host}`;

/** What the command prints after the screen is gone, and its exit code. */
export interface RunOutcome {
  exitCode: number;
  lines: string[];
  runId: string | null;
  status: 'succeeded' | 'failed' | 'stopped' | 'refused' | 'cancelled';
}

export const refused = (line: string, runId: string | null = null): RunOutcome => ({ exitCode: 1, lines: [line], runId, status: 'refused' });

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

export type Prepared = { ok: true; plan: Plan } | { ok: false; outcome: RunOutcome };

/** Plans the recipe over the report (a fresh run id) and checks the locks, without changing anything. */
export interface RunTiming {
  settleSeconds?: number;
  gateTimeoutSeconds?: number;
  /** Only `keyturn demo`: the lab's --speed (engine/time-scale.ts). */
  timeScale?: number;
}

/** The one way a new run is planned: on the preview the wizard plans it again with another settle window. */
function planNew(deps: RunDeps, recipe: Recipe, report: StatusReport, runId: string, timing: RunTiming) {
  return planRun(recipe, report, { runId, ...timing, nodeFacts: nodeFactsFrom(deps.session.targets()) });
}

/** Settle windows the preview offers (cluster seconds): the recipe's, then longer and shorter ones. */
export const SETTLE_CHOICES = [300, 60, 30] as const;

/** Offers the settle window on the bridge's plan preview, as `run --settle` sets it; s cycles the choices. */
export function offerSettle(deps: RunDeps, bridge: RunBridge, recipe: Recipe, report: StatusReport, plan: Plan, timing: RunTiming = {}): void {
  const first = timing.settleSeconds ?? recipe.settleSeconds ?? DEFAULT_SETTLE_SECONDS;
  const choices = [first, ...SETTLE_CHOICES.filter((c) => c !== first)];
  bridge.offerSettle({ seconds: first, choices, ...(timing.timeScale ? { timeScale: timing.timeScale } : {}) }, (settleSeconds) => {
    const again = planNew(deps, recipe, report, plan.runId, { ...timing, settleSeconds });
    return again.ok ? again.plan : null;
  });
}

export async function prepareNewRun(deps: RunDeps, recipe: Recipe, report: StatusReport, timing: RunTiming = {}): Promise<Prepared> {
  const runId = newRunId(recipe.name, deps.clock.now());
  const result = planNew(deps, recipe, report, runId, timing);
  if (!result.ok) return { ok: false, outcome: refused(withSessionOptions(renderRefusal(recipe.name, result.refusal).trimEnd(), deps.options)) };
  if (result.plan.support !== 'full') {
    return { ok: false, outcome: refused(`keyturn: ${recipe.name} is plan-only in this release: review \`${keyturnCommand(['plan', recipe.name], deps.options)}\` and follow it by hand`) };
  }
  const refusal = await lockRefusal(deps, result.plan, runId);
  if (refusal) return { ok: false, outcome: refused(refusal) };
  return { ok: true, plan: result.plan };
}

/**
 * A journalled run may continue only on the cluster it was created on: node names repeat across clusters, and a
 * resume that matched names alone stopped and restarted another cluster's etcd server. The one line names both.
 */
export function otherClusterRefusal(state: RunState, session: ClusterSession): string | null {
  const now = session.identity();
  if (!now || sameCluster(state.cluster, now)) return null;
  return `keyturn: refusing to continue ${state.runId}: it was started on ${describeCluster(state.cluster)}, and this is ${describeCluster(now)} — pass that cluster's --kubeconfig/--inventory`;
}

/** Nodes of a journalled plan the fresh scan did not reach: a resumed run cannot drive them. */
export function missingNodes(plan: Plan, session: ClusterSession): string[] {
  const reached = new Set(session.targets().map((t) => t.name));
  return plan.nodes.map((n) => n.name).filter((n) => !reached.has(n));
}

export function outcomeOf(state: RunState, options: ClusterOptions): RunOutcome {
  const { runId } = state;
  const report = `audit record: ${keyturnCommand(['report', runId], options)}`;
  const resume = `\`${keyturnCommand(['resume'], options)}\``;
  const o = state.outcome;
  switch (o.status) {
    case 'succeeded':
      return { exitCode: 0, runId, status: 'succeeded', lines: [`✓ ${state.plan.recipe} succeeded on every node — run ${runId}; ${report}`] };
    case 'failed':
      return {
        exitCode: 1,
        runId,
        status: 'failed',
        lines: [
          `✗ stopped at ${o.failure.node}: ${o.failure.check} — ${withSessionOptions(o.failure.fix, options)}`,
          ...stoppedNodes(state).map((n) => `⚠ ${stoppedLine(n)}`),
          `run ${runId}: fix the cause, then ${resume}; ${report}`,
        ],
      };
    case 'stopped':
      return { exitCode: 1, runId, status: 'stopped', lines: [`■ ${o.reason === 'quit' ? 'quit' : 'interrupted'} (${o.detail}): resume with ${resume} — run ${runId}; ${report}`] };
    case 'active':
      return { exitCode: 1, runId, status: 'stopped', lines: [`■ run ${runId} did not finish: resume with ${resume}; ${report}`] };
    case 'abandoned':
      return { exitCode: 1, runId, status: 'stopped', lines: [`■ run ${runId} was abandoned by ${o.by} (${o.reason}); ${report}`] };
  }
}

export type RunInput = { kind: 'new'; plan: Plan } | { kind: 'resume'; state: RunState };

/**
 * The run itself, through the bridge: a new run shows its plan and waits for enter; then the locks, the journal,
 * the engine. Always ends with bridge.finish(...) and returns what to print.
 */
export async function conductRun(deps: RunDeps, bridge: RunBridge, input: RunInput, show: { everyEnding: boolean } = { everyEnding: false }): Promise<RunOutcome> {
  const outcome = await conduct(deps, bridge, input).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    return { exitCode: 1, lines: [`keyturn: the run stopped on an unexpected error: ${message}`], runId: null, status: 'refused' } satisfies RunOutcome;
  });
  // The CLI prints the outcome after the screen is gone: only a finished run is worth a last look. The wizard
  // shows every ending (it goes back to the dashboard afterwards) except a cancel.
  const waitForKey = outcome.status === 'succeeded' || outcome.status === 'failed' || (show.everyEnding && outcome.status !== 'cancelled');
  bridge.finish(outcome.lines[0] ?? '', waitForKey);
  return outcome;
}

async function conduct(deps: RunDeps, bridge: RunBridge, input: RunInput): Promise<RunOutcome> {
  let plan = input.kind === 'new' ? input.plan : input.state.plan;
  const runId = plan.runId;
  bridge.setPlan(plan);
  if (input.kind === 'new' && !(await bridge.waitForStart(plan))) {
    return { exitCode: 1, lines: ['keyturn: cancelled before the first node; nothing was changed'], runId: null, status: 'cancelled' };
  }
  // The plan as the preview last showed it: the operator may have chosen another settle window there.
  if (input.kind === 'new') plan = bridge.plan ?? plan;
  bridge.setStage({ kind: 'starting', message: 'taking the run lock…' });
  const holder = holderOf(deps.operator);
  const local = await acquireLocalLock(deps.stateDir, { runId, holder, since: new Date(deps.clock.now()).toISOString() });
  if (!local.ok) {
    const h = local.heldBy;
    return refused(`keyturn: refusing to start: ${h ? `${h.holder} is already running ${h.runId} from this workstation (pid ${h.pid}, since ${h.since})` : 'the workstation lock is held'}`, input.kind === 'resume' ? runId : null);
  }
  try {
    const shell = (n: string) => deps.session.shell(n);
    const locked = await acquireRunLock({ kube: deps.session.gateway, shell, clock: deps.clock, confirmTakeover: (h, where) => bridge.askTakeover(h, where) }, plan, { holder, runId });
    if (!locked.ok) {
      const h = locked.heldBy;
      const line = h
        ? `keyturn: refusing to start: the run lock (${locked.where}) is held by ${h.holder} (run ${h.runId}) until ${lockExpiresAt(h)}, when its TTL expires${locked.reason === 'takeover declined' ? ' — takeover declined' : ''}`
        : `keyturn: refusing to start: ${locked.reason}`;
      return refused(line, input.kind === 'resume' ? runId : null);
    }
    const journal = await openFileJournal(deps.stateDir, runId);
    const stopRenew = new AbortController();
    let renewing: Promise<void> = Promise.resolve();
    let held = true;
    const release = async () => {
      stopRenew.abort();
      await renewing.catch(() => undefined);
      if (held) await locked.lock.release().catch(() => undefined);
      held = false;
    };
    try {
      let state: RunState;
      if (input.kind === 'new') {
        const created = await createRun({ journal, clock: deps.clock }, { plan, operator: deps.operator, cluster: deps.session.identity() ?? { server: deps.session.gateway?.server ?? null } });
        if (!created.ok) return refused(`keyturn: ${created.reason}`);
        state = created.state;
      } else state = input.state;
      const at = () => new Date(deps.clock.now()).toISOString();
      const lockEvents: RunEvent[] = locked.tookOver.length
        ? locked.tookOver.map((t) => ({ type: 'lock', at: at(), action: 'taken-over', where: t.where, previous: t.holder }))
        : [{ type: 'lock', at: at(), action: 'acquired', where: locked.apiLease ? 'Lease kube-system/keyturn + server lock files' : 'server lock files' }];
      for (const e of lockEvents) {
        await journal.append(e);
        state = applyEvent(state, e);
      }
      renewing = locked.lock.keepRenewed(stopRenew.signal);
      bridge.startRunning(state);
      const ports: RunPorts = { shell, kube: deps.session.gateway, clock: deps.clock, confirm: bridge, journal, log: bridge, onEvent: bridge.onEvent };
      const driven = await driveRun(state, ports, { operator: deps.operator, resumed: input.kind === 'resume' }, bridge.signal);
      const final = await offerStarts(driven, ports, bridge, deps.operator);
      await release();
      await journal.append({ type: 'lock', at: at(), action: 'released', where: 'Lease kube-system/keyturn + server lock files' }).catch(() => undefined);
      return outcomeOf(final, deps.options);
    } finally {
      await release();
      await journal.close();
    }
  } finally {
    await local.release();
  }
}

/**
 * After a failure, every node this run left stopped is named loudly and its start offered, one at a time, while
 * the run still holds its locks and journal: y runs `systemctl start <unit>` (journalled as node-started), n leaves
 * it stopped (the exit lines then give the exact command). Ctrl-C leaves the rest stopped.
 */
async function offerStarts(state: RunState, ports: RunPorts, bridge: RunBridge, operator: Operator): Promise<RunState> {
  if (state.outcome.status !== 'failed') return state;
  let current = state;
  const notes: string[] = [];
  const show = () => bridge.showStopped([...stoppedNodes(current).map(stoppedLine), ...notes]);
  for (const node of stoppedNodes(state)) {
    show();
    if (bridge.signal.aborted) break;
    if (!(await bridge.askStartStopped({ node: node.name, unit: node.unit, command: startCommandFor(node) }))) continue;
    const started = await startStoppedNode(ports, current, node.name, operator);
    current = started.state;
    notes.push(`${started.ok ? '✓' : '✗'} ${started.detail}`);
  }
  show();
  return current;
}

export interface ScreenIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function newBridge(deps: RunDeps, input: RunInput): RunBridge {
  const plan = input.kind === 'new' ? input.plan : input.state.plan;
  return new RunBridge({ recipe: plan.recipe, runId: plan.runId, cluster: deps.session.gateway?.server ?? 'inventory', resumed: input.kind === 'resume', withOptions: (text) => withSessionOptions(text, deps.options) });
}

/** A bridge for a run whose plan is still being made (the wizard: plan and lock checks happen on screen). */
export function newPendingBridge(recipe: string, deps: RunDeps): RunBridge {
  const bridge = new RunBridge({ recipe, runId: '…', cluster: deps.session.gateway?.server ?? 'inventory', resumed: false, withOptions: (text) => withSessionOptions(text, deps.options) });
  bridge.setStage({ kind: 'starting', message: 'planning over the last scan…' });
  return bridge;
}

/** The CLI's run screen: renders it, conducts the run, and prints the outcome after Ink unmounts. */
export async function showRun(deps: RunDeps, input: RunInput, io: ScreenIo): Promise<RunOutcome> {
  const [{ render }, { RunScreen }] = await Promise.all([import('ink'), import('../screens/RunScreen.js')]);
  const bridge = newBridge(deps, input);
  // SIGTERM/SIGHUP: stop like ctrl-c (the step in flight is left for resume to check); never mid-write. SIGINT
  // (ctrl-c from outside the raw-mode screen, or kill -INT) is ctrl-c itself.
  const onSignal = () => bridge.abortNow();
  const onInterrupt = () => bridge.interrupt();
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onInterrupt);
  const instance = render(createElement(RunScreen, { bridge, onExit: () => instance.unmount() }), {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    exitOnCtrlC: false,
    patchConsole: true,
  });
  try {
    const outcome = await conductRun(deps, bridge, input);
    await instance.waitUntilExit();
    bridge.dispose();
    io.stdout.write(outcome.lines.join('\n') + '\n');
    // Interrupted is interrupted, whether ctrl-c came before the first node (cancelled) or mid-run (stopped); a run
    // that finished anyway keeps its own code.
    return bridge.interrupted && outcome.status !== 'succeeded' ? { ...outcome, exitCode: INTERRUPTED_EXIT_CODE } : outcome;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onInterrupt);
    instance.unmount();
  }
}
