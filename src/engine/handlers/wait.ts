// Waits until a condition holds, polling; a timeout is a failure with the last reading as evidence.
import { assertNever } from '../../model/cluster.js';
import type { Condition } from '../../recipe-schema/types.js';
import { checkEtcdQuorum } from '../checks/etcd.js';
import { checkNodeReady } from '../checks/node.js';
import { checkServerStage } from '../encryption/checks.js';
import { runReencryptWait } from '../encryption/reencrypt.js';
import { describeUnitState, readUnit, unitPhase } from '../checks/unit.js';
import { memberStoppedScript, readMemberStopped } from '../checks/etcd-member-stopped.js';
import type { HandlerResult, StepContext } from '../context.js';
import { failed, poll } from '../context.js';
import { describeCondition } from '../describe.js';
import { fixFor } from '../fixes.js';
import { reportWait } from './wait-progress.js';
import { scaledMs } from '../time-scale.js';

interface Reading {
  holds: boolean;
  detail: string;
  /** The wait cannot succeed: stop now (a restart loop), instead of at the timeout. */
  hopeless?: boolean;
}

/**
 * Waiting for a unit state: a start in progress (activating/start) is waited for however slow. A unit that had
 * failed before the wait may be in auto-restart at first (e.g. an etcd server that started before a quorum ran):
 * one more try is its due. It loops when a try made during the wait failed too: NRestarts rose and it is back in
 * auto-restart, or NRestarts rose twice.
 */
async function readUnitState(
  ctx: StepContext,
  states: readonly string[],
  baseline: { restarts: number | null },
): Promise<Reading> {
  const u = await readUnit(ctx);
  if (!u.ok) return { holds: false, detail: `cannot read unit: ${u.exec.outcome}` };
  baseline.restarts ??= u.restarts;
  const more = u.restarts - baseline.restarts;
  const detail = `${ctx.node.unit} is ${describeUnitState(u)}, NRestarts ${baseline.restarts} → ${u.restarts}`;
  if (states.includes(u.state) && unitPhase(u) !== 'restarting') return { holds: true, detail };
  const looping = more >= 2 || (more >= 1 && unitPhase(u) === 'restarting');
  return { holds: false, detail: looping ? `${detail}: a restart loop` : detail, hopeless: looping };
}

async function readCondition(ctx: StepContext, c: Condition, baseline: { restarts: number | null }): Promise<Reading> {
  switch (c.condition) {
    case 'unit-state':
      return readUnitState(ctx, c.states, baseline);
    case 'node-ready': {
      const r = await checkNodeReady(ctx);
      return { holds: r.status === 'pass', detail: r.detail };
    }
    case 'etcd-member-stopped': {
      if (!ctx.node.etcd) return { holds: true, detail: readMemberStopped(ctx.node, '').detail };
      const r = await ctx.exec(ctx.node, memberStoppedScript(ctx.node), 30);
      const reading = readMemberStopped(ctx.node, r.stdout);
      return {
        holds: reading.stopped,
        detail: r.outcome === 'ok' ? reading.detail : `${reading.detail} (${r.outcome})`,
      };
    }
    case 'etcd-healthy': {
      const r = await checkEtcdQuorum(ctx);
      return { holds: r.status === 'pass', detail: r.detail };
    }
    case 'encryption-stage': {
      const r = await checkServerStage(ctx, c.stage);
      return { holds: r.status !== 'fail', detail: r.detail };
    }
    case 'reencrypt-finished':
      throw new Error('bug: reencrypt-finished is handled by runReencryptWait');
    default:
      return assertNever(c);
  }
}

export async function runWaitStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'wait') throw new Error(`bug: ${step.key} is not a wait step`);
  if (step.step.until.condition === 'reencrypt-finished') return runReencryptWait(ctx);
  const { until, timeoutSeconds, intervalSeconds } = step.step;
  const started = ctx.ports.clock.now();
  const baseline: { restarts: number | null } = { restarts: null };
  // A recipe's own interval was scaled when planned; the default one is scaled here.
  const intervalMs = intervalSeconds !== undefined ? intervalSeconds * 1000 : scaledMs(5000, ctx.plan.timeScale);
  const last = await poll(ctx, timeoutSeconds, intervalMs, async () => {
    const r = await readCondition(ctx, until, baseline);
    reportWait(ctx, started, timeoutSeconds, `until ${describeCondition(until, ctx.node)}: ${r.detail}`);
    return { stop: r.holds || r.hopeless === true, value: r };
  });
  const waited = Math.round((ctx.ports.clock.now() - started) / 1000);
  if (last.holds) return { status: 'done', summary: `${last.detail} after ${waited}s`, execs: ctx.execs.slice(-2) };
  const evidence = [last.detail, ...ctx.tails.recent(ctx.node.name, 20)];
  const check = until.condition === 'unit-state' ? 'unit-active' : until.condition;
  const message = last.hopeless
    ? `${last.detail} after ${waited}s, while waiting until ${describeCondition(until, ctx.node)}`
    : `timed out after ${timeoutSeconds}s waiting until ${describeCondition(until, ctx.node)}`;
  return {
    ...failed(ctx, {
      check,
      message,
      command: null,
      exitCode: null,
      evidence,
      fix: fixFor(check, ctx.node, evidence, ctx.plan.recipe),
    }),
    execs: ctx.execs.slice(-4),
  };
}
