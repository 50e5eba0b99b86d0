// Waits for the operator to do something by hand (place CA files, ...), then continue or quit.
import type { HandlerResult, StepContext } from '../context.js';

export async function runPauseStep(ctx: StepContext): Promise<HandlerResult> {
  const { step } = ctx;
  if (step.step.kind !== 'pause') throw new Error(`bug: ${step.key} is not a pause step`);
  const message = step.step.message.replaceAll('<data-dir>', ctx.node.dataDir);
  const answer = await ctx.ports.confirm.pause(
    { runId: ctx.plan.runId, node: ctx.node.name, key: step.key, message },
    ctx.signal,
  );
  return answer === 'continue' ? { status: 'done', summary: 'operator continued', execs: [] } : { status: 'quit' };
}
