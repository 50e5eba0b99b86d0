// The conductor of a prepared run, through its UI port: a new run shows its plan and waits for go; then the
// workstation lock and the cluster run lock, the journal, the engine (lease kept renewed), the offered starts of
// nodes a failure left stopped, and the release of everything. Always ends with ui.finish(...).
import { acquireRunLock, applyEvent, createRun, driveRun } from '../engine/index.js';
import { startCommandFor, startStoppedNode, stoppedLine, stoppedNodes } from '../engine/index.js';
import type { LockRelease, Operator, RunEvent, RunPorts, RunState } from '../engine/index.js';
import { lockExpiresAt } from '../engine/index.js';
import { acquireLocalLock, openFileJournal } from '../journal/index.js';
import { holderOf, type RunDeps } from './deps.js';
import { outcomeOf, refused, type RunOutcome } from './outcome.js';
import type { RunInput } from './prepare.js';
import type { RunUi } from './ui-port.js';

/** Runs the prepared input and returns what to print. */
export async function conductRun(
  deps: RunDeps,
  ui: RunUi,
  input: RunInput,
  show: { everyEnding: boolean } = { everyEnding: false },
): Promise<RunOutcome> {
  const outcome = await conduct(deps, ui, input).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    return {
      exitCode: 1,
      lines: [`keyturn: the run stopped on an unexpected error: ${message}`],
      runId: null,
      status: 'refused',
    } satisfies RunOutcome;
  });
  // The CLI prints the outcome after the screen is gone: only a finished run is worth a last look. The wizard
  // shows every ending (it goes back to the dashboard afterwards) except a cancel.
  const waitForKey =
    outcome.status === 'succeeded' ||
    outcome.status === 'failed' ||
    (show.everyEnding && outcome.status !== 'cancelled');
  ui.finish(outcome.lines[0] ?? '', waitForKey);
  return outcome;
}

async function conduct(deps: RunDeps, ui: RunUi, input: RunInput): Promise<RunOutcome> {
  let plan = input.kind === 'new' ? input.plan : input.state.plan;
  const runId = plan.runId;
  ui.setPlan(plan);
  if (input.kind === 'new' && !(await ui.waitForStart(plan))) {
    return {
      exitCode: 1,
      lines: ['keyturn: cancelled before the first node; nothing was changed'],
      runId: null,
      status: 'cancelled',
    };
  }
  // The plan as the preview last showed it: the operator may have chosen another settle window there.
  if (input.kind === 'new') plan = ui.plan ?? plan;
  ui.setStage({ kind: 'starting', message: 'taking the run lock…' });
  const holder = holderOf(deps.operator);
  const local = await acquireLocalLock(deps.stateDir, {
    runId,
    holder,
    since: new Date(deps.clock.now()).toISOString(),
  });
  if (!local.ok) {
    const h = local.heldBy;
    return refused(
      `keyturn: refusing to start: ${h ? `${h.holder} is already running ${h.runId} from this workstation (pid ${h.pid}, since ${h.since})` : 'the workstation lock is held'}`,
      input.kind === 'resume' ? runId : null,
    );
  }
  try {
    const shell = (n: string) => deps.session.shell(n);
    const locked = await acquireRunLock(
      { kube: deps.session.gateway, shell, clock: deps.clock, confirmTakeover: (h, where) => ui.askTakeover(h, where) },
      plan,
      { holder, runId },
    );
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
    const release = async (): Promise<LockRelease> => {
      stopRenew.abort();
      await renewing.catch(() => undefined);
      const freed: LockRelease = held
        ? await locked.lock.release().catch((): LockRelease => ({ lease: 'released' }))
        : { lease: 'released' };
      held = false;
      return freed;
    };
    try {
      let state: RunState;
      if (input.kind === 'new') {
        const created = await createRun(
          { journal, clock: deps.clock },
          {
            plan,
            operator: deps.operator,
            cluster: deps.session.identity() ?? { server: deps.session.gateway?.server ?? null },
          },
        );
        if (!created.ok) return refused(`keyturn: ${created.reason}`);
        state = created.state;
      } else state = input.state;
      const at = () => new Date(deps.clock.now()).toISOString();
      const lockEvents: RunEvent[] = locked.tookOver.length
        ? locked.tookOver.map((t) => ({
            type: 'lock',
            at: at(),
            action: 'taken-over',
            where: t.where,
            previous: t.holder,
          }))
        : [
            {
              type: 'lock',
              at: at(),
              action: 'acquired',
              where: locked.apiLease ? 'Lease kube-system/keyturn + server lock files' : 'server lock files',
            },
          ];
      for (const e of lockEvents) {
        await journal.append(e);
        state = applyEvent(state, e);
      }
      renewing = locked.lock.keepRenewed(stopRenew.signal);
      ui.startRunning(state);
      const ports: RunPorts = {
        shell,
        kube: deps.session.gateway,
        clock: deps.clock,
        confirm: ui,
        journal,
        log: ui,
        onEvent: ui.onEvent,
      };
      const driven = await driveRun(
        state,
        ports,
        {
          operator: deps.operator,
          resumed: input.kind === 'resume',
          ...(input.kind === 'resume' && input.agentWave ? { agentWave: input.agentWave } : {}),
        },
        ui.signal,
      );
      const final = await offerStarts(driven, ports, ui, deps.operator);
      const freed = await release();
      const leaseKept = freed.lease === 'kept' ? freed : null;
      await journal
        .append({
          type: 'lock',
          at: at(),
          action: 'released',
          where: leaseKept
            ? `server lock files; the Lease kube-system/keyturn stays until ${leaseKept.lapsesAt} (the API did not delete it: ${leaseKept.why})`
            : 'Lease kube-system/keyturn + server lock files',
        })
        .catch(() => undefined);
      const outcome = outcomeOf(final, deps.say);
      if (!leaseKept) return outcome;
      // A next run before that time would be refused: say why, and when it can start.
      const line = `⚠ the run lock's Lease kube-system/keyturn could not be deleted (${leaseKept.why}): it lapses at ${leaseKept.lapsesAt}; a run before then is refused`;
      return { ...outcome, lines: [...outcome.lines, line] };
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
async function offerStarts(state: RunState, ports: RunPorts, ui: RunUi, operator: Operator): Promise<RunState> {
  if (state.outcome.status !== 'failed') return state;
  let current = state;
  const notes: string[] = [];
  const show = () => ui.showStopped([...stoppedNodes(current).map(stoppedLine), ...notes]);
  for (const node of stoppedNodes(state)) {
    show();
    if (ui.signal.aborted) break;
    if (!(await ui.askStartStopped({ node: node.name, unit: node.unit, command: startCommandFor(node) }))) continue;
    const started = await startStoppedNode(ports, current, node.name, operator);
    current = started.state;
    notes.push(`${started.ok ? '✓' : '✗'} ${started.detail}`);
  }
  show();
  return current;
}
