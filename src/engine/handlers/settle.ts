// Watches the unit for the settle window: no restart loop (auto-restart, NRestarts rising) and an accepted state at
// the end. A Type=notify start in progress (activating/start) is not a loop: it is waited for, however slow.
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { describeUnitState, readUnit, unitPhase } from '../checks/unit.js';
import { settleSecondsOf } from '../describe.js';
import { fixFor } from '../fixes.js';
import { reportWait } from './wait-progress.js';
import { scaledMs, scaledSeconds } from '../time-scale.js';

const SAMPLE_MS = 5000;

/** etcd servers whose start step in this phase is done (this node's included). */
function etcdStartedInPhase(ctx: StepContext): { started: number; total: number } {
  const total = ctx.plan.nodes.filter((n) => n.etcd).length;
  const started = ctx.plan.blocks.filter(
    (b) =>
      b.phase === ctx.step.phase &&
      b.steps.some(
        (s) =>
          s.step.kind === 'command' &&
          s.step.run.op === 'service' &&
          s.step.run.action === 'start' &&
          ctx.state.steps[s.key].status === 'done',
      ),
  ).length;
  return { started, total };
}

/** How long a start that is still in progress (activating/start, no restart) may take before the settle gives up. */
export const START_WAIT_SECONDS = 600;

type Reading = { state: string; subState: string; restarts: number };

/** Why a sample ends the settle: a restart loop, or a state the step does not accept; null: keep watching. */
function verdictOf(sample: Reading, first: Reading, accept: readonly string[]): { loop: boolean; what: string } | null {
  // A loop shows at once as auto-restart (the next try is scheduled), or afterwards as a higher NRestarts.
  if (unitPhase(sample) === 'restarting')
    return { loop: true, what: `is ${describeUnitState(sample)} (a try failed; systemd restarts it in RestartSec)` };
  if (sample.restarts > first.restarts)
    return { loop: true, what: `restarted ${sample.restarts - first.restarts} time(s)` };
  // A start in progress is not a loop, however long it takes (Type=notify: until READY=1).
  if (accept.includes(sample.state) || unitPhase(sample) === 'starting') return null;
  return { loop: false, what: `is ${describeUnitState(sample)}` };
}

export async function runSettleStep(ctx: StepContext): Promise<HandlerResult> {
  const { step, node, ports } = ctx;
  if (step.step.kind !== 'settle') throw new Error(`bug: ${step.key} is not a settle step`);
  const seconds = settleSecondsOf(step.step, ctx.plan.settleSeconds);
  const accept = step.step.accept ?? ['active'];
  // The window starts with the step, so the first sample's round trip is part of it, not added to it.
  const startedAt = ports.clock.now();
  const deadline = startedAt + seconds * 1000;
  // A unit still starting when the window ends (and the step wants it active) is waited for, up to this.
  const startWait = Math.max(seconds, scaledSeconds(START_WAIT_SECONDS, ctx.plan.timeScale));
  const startDeadline = startedAt + startWait * 1000;
  const first = await readUnit(ctx);
  if (!first.ok) {
    const evidence = execEvidence(ctx, first.exec);
    return failed(ctx, {
      check: 'settle',
      message: `cannot read ${node.unit} on ${node.name}`,
      command: first.exec.script,
      exitCode: first.exec.code,
      evidence,
      fix: fixFor('connection', node, evidence, ctx.plan.recipe),
    });
  }
  if (step.step.untilQuorum) {
    const { started, total } = etcdStartedInPhase(ctx);
    if (started <= total / 2) {
      return {
        status: 'done',
        summary: `${started} of ${total} etcd servers started: restarts are expected until a quorum runs`,
        execs: ctx.execs,
        data: { restarts: { before: first.restarts, after: first.restarts, state: first.state } },
      };
    }
  }
  let last: Reading = first;
  let extended = false;
  for (;;) {
    const restarts = last.restarts - first.restarts;
    // Past the window only a start still in progress is waited for, up to startWait: from then on the total says
    // so (the last sample of a window that simply ended still shows the window).
    const overtime = ports.clock.now() >= deadline && !accept.includes(last.state) && unitPhase(last) === 'starting';
    extended ||= overtime;
    reportWait(
      ctx,
      startedAt,
      extended ? startWait : seconds,
      `${restarts} restart${restarts === 1 ? '' : 's'} · ${describeUnitState(last)}${overtime ? ' · still starting' : ''}`,
    );
    const verdict = verdictOf(last, first, accept);
    if (verdict) {
      const evidence = [
        `${node.unit}: ActiveState=${last.state}, SubState=${last.subState || '?'}, NRestarts ${first.restarts} → ${last.restarts}`,
        ...execEvidence(ctx, null),
      ];
      return {
        ...failed(ctx, {
          check: 'unit-active',
          message: `${node.unit} on ${node.name} ${verdict.what} during the settle window${verdict.loop ? ': a restart loop' : ''}`,
          command: null,
          exitCode: null,
          evidence,
          fix: fixFor('unit-active', node, evidence, ctx.plan.recipe),
        }),
        data: { restarts: { before: first.restarts, after: last.restarts, state: last.state } },
      };
    }
    const now = ports.clock.now();
    const stillStarting = !accept.includes(last.state) && unitPhase(last) === 'starting';
    if (ctx.signal.aborted) break;
    if (now >= deadline && !stillStarting) break;
    if (now >= startDeadline) {
      const evidence = [
        `${node.unit}: ActiveState=${last.state}, SubState=${last.subState || '?'}, NRestarts ${first.restarts} → ${last.restarts}`,
        ...execEvidence(ctx, null),
      ];
      return {
        ...failed(ctx, {
          check: 'unit-active',
          message: `${node.unit} on ${node.name} is still starting (${describeUnitState(last)}, no restart) after ${Math.round((now - startedAt) / 1000)}s: a slow start, not a restart loop`,
          command: null,
          exitCode: null,
          evidence,
          fix: `read \`journalctl -u ${node.unit} -n 200\` on ${node.name} for what the start waits on (etcd, the datastore, images), then \`keyturn resume\``,
        }),
        data: { restarts: { before: first.restarts, after: last.restarts, state: last.state } },
      };
    }
    const until = stillStarting && now >= deadline ? startDeadline : deadline;
    await ports.clock.sleep(Math.min(scaledMs(SAMPLE_MS, ctx.plan.timeScale), Math.max(0, until - now)), ctx.signal);
    const next = await readUnit(ctx);
    if (next.ok) last = next; // a missed sample is not a restart; the next one decides
  }
  const waited = Math.round((ports.clock.now() - startedAt) / 1000);
  return {
    status: 'done',
    summary: `${node.unit} ${describeUnitState(last)} for ${Math.max(seconds, waited)}s, NRestarts ${first.restarts} → ${last.restarts}`,
    execs: ctx.execs.slice(-2), // samples are many and alike: keep the last
    data: { restarts: { before: first.restarts, after: last.restarts, state: last.state } },
  };
}
