// keyturn's own waits in a rehearsal. `keyturn demo` runs the lab at --speed F (every simulated wait divided by F);
// a run planned there with timeScale F divides its settle windows, gate and wait timeouts and their sampling
// intervals by F too, so a rehearsal takes minutes, not a quarter of an hour. The one home of that rule: the planner
// scales the step's seconds (journalled in the plan, so a resume keeps them), the handlers scale their sampling
// intervals with the plan's timeScale. Real clusters are planned without one: factor 1, nothing changes.
import type { Step } from '../recipe-schema/types.js';

/** Seconds of a wait at the plan's time scale (at least 1 s). */
export function scaledSeconds(seconds: number, timeScale: number | undefined): number {
  if (!timeScale || timeScale === 1) return seconds;
  return Math.max(1, Math.ceil(seconds / timeScale));
}

/** A sampling or retry interval at the plan's time scale (at least 100 ms). */
export function scaledMs(ms: number, timeScale: number | undefined): number {
  if (!timeScale || timeScale === 1) return ms;
  return Math.max(100, Math.round(ms / timeScale));
}

/** The step with its own seconds (settle window, gate and wait timeouts, wait interval) at the time scale. */
export function scaleStep(step: Step, timeScale: number | undefined): Step {
  if (!timeScale || timeScale === 1) return step;
  switch (step.kind) {
    case 'settle':
      return step.seconds === undefined ? step : { ...step, seconds: scaledSeconds(step.seconds, timeScale) };
    case 'gate':
      return step.timeoutSeconds === undefined
        ? step
        : { ...step, timeoutSeconds: scaledSeconds(step.timeoutSeconds, timeScale) };
    case 'wait':
      return {
        ...step,
        timeoutSeconds: scaledSeconds(step.timeoutSeconds, timeScale),
        ...(step.intervalSeconds !== undefined
          ? { intervalSeconds: Math.max(0.1, step.intervalSeconds / timeScale) }
          : {}),
      };
    case 'command':
    case 'backup':
    case 'pause':
      return step;
  }
}
