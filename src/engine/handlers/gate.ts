// Gates: every check must pass (skipped is recorded, not a failure), retried until the gate's timeout; then the
// run stops with the failing check, the node, the evidence and the fix. Check implementations keyed by name.
import { assertNever } from '../../model/cluster.js';
import type { GateCheck } from '../../recipe-schema/types.js';
import { checkCerts, type CertReadingCache } from '../checks/certs.js';
import { checkEtcdQuorum } from '../checks/etcd.js';
import { checkNodeReady } from '../checks/node.js';
import { checkCaConsistent, checkEtcdMembersHealthy } from '../ca/checks.js';
import { checkJoinTokens } from '../ca/tokens.js';
import { checkAllEncryptionHashes, checkEncryptionProvider, checkServerStage } from '../encryption/checks.js';
import { describeUnitState, readUnit } from '../checks/unit.js';
import type { HandlerResult, StepContext } from '../context.js';
import { failed, poll } from '../context.js';
import type { GateCheckResult } from '../events.js';
import { fixFor } from '../fixes.js';
import { reportWait } from './wait-progress.js';
import { scaledMs } from '../time-scale.js';

const RETRY_MS = 5000;

/** What the checks of one gate attempt share: the certificate reading, and the settle step's last unit sample. */
export interface GateAttempt extends CertReadingCache {
  settled?: { state: string; restarts: number; ageMs: number } | null;
}

// A settle sample this recent stands for "the unit is active now" on the gate's first attempt: one round trip
// less between every two nodes. Older (a resumed run, a slow journal) and the gate reads the unit itself.
const SETTLE_SAMPLE_FRESH_MS = 1000;

/** The settle step right before this gate in the same block, when it ended moments ago. */
function freshSettleSample(ctx: StepContext): GateAttempt['settled'] {
  const block = ctx.plan.blocks.find((b) => b.steps.some((x) => x.key === ctx.step.key));
  const steps = block?.steps ?? [];
  const prev = steps[steps.findIndex((x) => x.key === ctx.step.key) - 1];
  if (!prev || prev.step.kind !== 'settle') return null;
  const st = ctx.state.steps[prev.key];
  const restarts = st?.result?.status === 'done' ? st.result.data?.restarts : undefined;
  if (!restarts || !st.finishedAt) return null;
  const ageMs = ctx.ports.clock.now() - Date.parse(st.finishedAt);
  return ageMs >= 0 && ageMs <= SETTLE_SAMPLE_FRESH_MS
    ? { state: restarts.state, restarts: restarts.after, ageMs }
    : null;
}

async function checkUnitActive(ctx: StepContext, attempt: GateAttempt = {}): Promise<GateCheckResult> {
  const sample = attempt.settled;
  if (sample?.state === 'active') {
    return {
      check: 'unit-active',
      status: 'pass',
      detail: `${ctx.node.unit} active, NRestarts ${sample.restarts} (the settle step's last sample, ${Math.round(sample.ageMs)} ms before)`,
    };
  }
  const u = await readUnit(ctx);
  if (!u.ok) return { check: 'unit-active', status: 'fail', detail: `cannot read ${ctx.node.unit}: ${u.exec.outcome}` };
  // "not restarting": the settle step watched NRestarts; here the unit must be active now.
  return u.state === 'active'
    ? { check: 'unit-active', status: 'pass', detail: `${ctx.node.unit} active, NRestarts ${u.restarts}` }
    : { check: 'unit-active', status: 'fail', detail: `${ctx.node.unit} is ${describeUnitState(u)}` };
}

/** `attempt` carries what the checks of one gate attempt share (the certificate reading). */
export async function runGateCheck(
  ctx: StepContext,
  c: GateCheck,
  attempt: GateAttempt = {},
): Promise<GateCheckResult> {
  switch (c.check) {
    case 'unit-active':
      return checkUnitActive(ctx, attempt);
    case 'node-ready':
      return checkNodeReady(ctx);
    case 'etcd-quorum':
      return checkEtcdQuorum(ctx, c.when);
    case 'certs-fresh':
    case 'cas-unchanged':
    case 'no-expired-leaf':
      return checkCerts(ctx, c.check, attempt);
    case 'encryption-stage':
      return checkServerStage(ctx, c.stage);
    case 'encryption-hashes':
      return checkAllEncryptionHashes(ctx, c.stages);
    case 'encryption-provider':
      return checkEncryptionProvider(ctx, c.flow);
    case 'ca-consistent':
      return checkCaConsistent(ctx);
    case 'etcd-members-healthy':
      return checkEtcdMembersHealthy(ctx);
    case 'join-tokens':
      return checkJoinTokens(ctx);
    default:
      return assertNever(c);
  }
}

export async function runGateStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'gate') throw new Error(`bug: ${step.key} is not a gate step`);
  const checks = step.step.checks;
  const gateTimeout = step.step.timeoutSeconds ?? 0;
  let first = true;
  const results = await poll(ctx, step.step.timeoutSeconds ?? 0, scaledMs(RETRY_MS, ctx.plan.timeScale), async () => {
    const attempt: GateAttempt = { settled: first ? freshSettleSample(ctx) : null };
    first = false;
    // The checks only read (a peer's etcd view, the API, this node's files), so they run at once: between two
    // nodes the gate costs its slowest round trip, not the sum of them. Results are reported in the recipe's
    // order up to the first failure (later checks mean little while an earlier one fails).
    const all = await Promise.all(checks.map((c) => runGateCheck(ctx, c, attempt)));
    const failedAt = all.findIndex((r) => r.status === 'fail');
    const rs = failedAt === -1 ? all : all.slice(0, failedAt + 1);
    if (failedAt !== -1) {
      const timeout = gateTimeout;
      const left = Math.max(0, Math.round(timeout - (ctx.ports.clock.now() - ctx.startedAtMs) / 1000));
      reportWait(
        ctx,
        ctx.startedAtMs,
        timeout,
        `${all[failedAt].check} pending: ${all[failedAt].detail} · times out in ${left} s`,
      );
    }
    return { stop: failedAt === -1, value: rs };
  });
  const bad = results.find((r) => r.status === 'fail');
  if (!bad) {
    // A skipped check says why (e.g. the API is unreachable): the operator sees what was not checked.
    const summary = results
      .map((r) => (r.status === 'skipped' ? `${r.check}: skipped (${r.detail})` : `${r.check}: ${r.status}`))
      .join(', ');
    return { status: 'done', summary, execs: ctx.execs.slice(-10), data: { gate: results } };
  }
  const evidence = [...(bad.evidence ?? []), ...ctx.tails.recent(ctx.node.name, 20)];
  const about = ctx.plan.nodes.find((n) => n.name === bad.node) ?? ctx.node;
  // Retried until the gate's timeout: say for how long, so "never came back" reads as such.
  const timeout = step.step.timeoutSeconds ?? 0;
  const waited = Math.round((ctx.ports.clock.now() - ctx.startedAtMs) / 1000);
  const still = timeout > 0 ? ` (still failing after ${waited}s; gate timeout ${timeout}s)` : '';
  return {
    ...failed(ctx, {
      node: about.name,
      check: bad.check,
      message: `${bad.check} failed on ${about.name}: ${bad.detail}${still}`,
      command: null,
      exitCode: null,
      evidence,
      fix: fixFor(bad.check, about, evidence, ctx.plan.recipe),
    }),
    execs: ctx.execs.slice(-10),
    data: { gate: results },
  };
}
