// Where a settle, gate or wait stands, for the run screen: "93 s of 150 s · 0 restarts · active/running".
import type { StepContext } from '../context.js';
import type { WaitProgress } from '../ports.js';

export function describeWaitProgress(w: WaitProgress): string {
  return `${w.elapsedSeconds} s of ${w.totalSeconds} s · ${w.about}`;
}

/** Sends the step's standing to the log port (the screen shows it as the running step's detail). */
export function reportWait(ctx: StepContext, startedAtMs: number, totalSeconds: number, about: string): void {
  const elapsedSeconds = Math.max(0, Math.round((ctx.ports.clock.now() - startedAtMs) / 1000));
  ctx.ports.log.emit({
    type: 'waiting',
    node: ctx.node.name,
    key: ctx.step.key,
    wait: { elapsedSeconds, totalSeconds: Math.round(totalSeconds), about },
  });
}
