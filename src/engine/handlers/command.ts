// A command on a node (stop/start/restart, certificate rotate, ...). The exact text is the plan's.
import type { StepContext, HandlerResult } from '../context.js';
import { execEvidence, failed } from '../context.js';
import { fixFor } from '../fixes.js';
import { interpretOpResult } from './ops.js';
import { fillTokenHashes } from '../ca/tokens.js';

export async function runCommandStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'command' || step.command === null) throw new Error(`bug: ${step.key} is not a command step`);
  // update-token's hashes are known only once the run's generate step has recorded them.
  const command = step.step.run.op === 'update-token' ? fillTokenHashes(ctx, step.command) : step.command;
  if (typeof command !== 'string') return command;
  const r = await ctx.exec(ctx.node, command, step.step.timeoutSeconds ?? 300);
  const special = await interpretOpResult(ctx, step.step.run, r);
  if (special) return special;
  if (r.outcome === 'ok')
    return { status: 'done', summary: `exit 0 in ${Math.round(r.durationMs / 100) / 10}s`, execs: ctx.execs };
  // A non-blocking start only queues the job; if the start still reports the unit's failure (as it does before
  // etcd has quorum), the unit is started and systemd keeps restarting it: the settle and gate steps judge it.
  const run = step.step.run;
  if (
    run.op === 'service' &&
    run.action === 'start' &&
    run.noBlock &&
    r.outcome === 'exit' &&
    /Job for \S+ failed/.test(r.stderr)
  ) {
    return {
      status: 'done',
      summary: 'started; the unit failed once (expected before etcd has quorum), systemd restarts it',
      execs: ctx.execs,
    };
  }
  const evidence = execEvidence(ctx, r);
  const check = r.outcome === 'connection' ? 'connection' : 'command';
  return failed(ctx, {
    check,
    message: `\`${step.command}\` ${r.outcome === 'exit' ? `exited ${r.code}` : r.outcome} on ${ctx.node.name}`,
    command: step.command,
    exitCode: r.code,
    evidence,
    fix: fixFor(check, ctx.node, evidence, ctx.plan.recipe),
  });
}
