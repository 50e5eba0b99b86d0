// Watches the unit for the settle window: it must stay in an accepted state and NRestarts must not grow.
import type { HandlerResult, StepContext } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { readUnit } from '../checks/unit.js';
import { settleSecondsOf } from '../describe.js';
import { fixFor } from '../fixes.js';

const SAMPLE_MS = 5000;

/** etcd servers whose start step in this phase is done (this node's included). */
function etcdStartedInPhase(ctx: StepContext): { started: number; total: number } {
  const total = ctx.plan.nodes.filter((n) => n.etcd).length;
  const started = ctx.plan.blocks.filter(
    (b) =>
      b.phase === ctx.step.phase &&
      b.steps.some((s) => s.step.kind === 'command' && s.step.run.op === 'service' && s.step.run.action === 'start' && ctx.state.steps[s.key].status === 'done'),
  ).length;
  return { started, total };
}

export async function runSettleStep(ctx: StepContext): Promise<HandlerResult> {
  const { step, node, ports } = ctx;
  if (step.step.kind !== 'settle') throw new Error(`bug: ${step.key} is not a settle step`);
  const seconds = settleSecondsOf(step.step, ctx.plan.settleSeconds);
  const accept = step.step.accept ?? ['active'];
  // The window starts with the step, so the first sample's round trip is part of it, not added to it.
  const deadline = ports.clock.now() + seconds * 1000;
  const first = await readUnit(ctx);
  if (!first.ok) {
    const evidence = execEvidence(ctx, first.exec);
    return failed(ctx, { check: 'settle', message: `cannot read ${node.unit} on ${node.name}`, command: first.exec.script, exitCode: first.exec.code, evidence, fix: fixFor('connection', node, evidence, ctx.plan.recipe) });
  }
  if (step.step.untilQuorum) {
    const { started, total } = etcdStartedInPhase(ctx);
    if (started <= total / 2) {
      return { status: 'done', summary: `${started} of ${total} etcd servers started: restarts are expected until a quorum runs`, execs: ctx.execs, data: { restarts: { before: first.restarts, after: first.restarts, state: first.state } } };
    }
  }
  let last = first;
  for (;;) {
    if (!accept.includes(last.state) || last.restarts > first.restarts) {
      const evidence = [`${node.unit}: ActiveState=${last.state}, NRestarts ${first.restarts} → ${last.restarts}`, ...execEvidence(ctx, null)];
      return {
        ...failed(ctx, {
          check: 'unit-active',
          message: `${node.unit} on ${node.name} ${last.restarts > first.restarts ? `restarted ${last.restarts - first.restarts} time(s)` : `is ${last.state}`} during the settle window`,
          command: null,
          exitCode: null,
          evidence,
          fix: fixFor('unit-active', node, evidence, ctx.plan.recipe),
        }),
        data: { restarts: { before: first.restarts, after: last.restarts, state: last.state } },
      };
    }
    const left = deadline - ports.clock.now();
    if (left <= 0 || ctx.signal.aborted) break;
    await ports.clock.sleep(Math.min(SAMPLE_MS, left), ctx.signal);
    const next = await readUnit(ctx);
    if (next.ok) last = next; // a missed sample is not a restart; the next one decides
  }
  return {
    status: 'done',
    summary: `${node.unit} ${last.state} for ${seconds}s, NRestarts ${first.restarts} → ${last.restarts}`,
    execs: ctx.execs.slice(-2), // samples are many and alike: keep the last
    data: { restarts: { before: first.restarts, after: last.restarts, state: last.state } },
  };
}
