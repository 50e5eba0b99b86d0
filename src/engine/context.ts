// What a step handler gets: the planned step, its node, the ports, and an exec that records evidence.
import type { ExecResult } from '../transports/types.js';
import type { ExecRecord, Failure, StepResult } from './events.js';
import { tail } from './events.js';
import type { Plan, PlannedNode, PlannedStep } from './plan-types.js';
import type { RunPorts } from './ports.js';
import type { RunState } from './reducer.js';
import type { Tails } from './tails.js';

export interface StepContext {
  plan: Plan;
  state: RunState;
  step: PlannedStep;
  node: PlannedNode;
  ports: RunPorts;
  signal: AbortSignal;
  tails: Tails;
  /** When this attempt started (clock ms). */
  startedAtMs: number;
  /** Every command this step ran, in order (journalled with the result). */
  execs: ExecRecord[];
  exec(node: PlannedNode, script: string, timeoutSeconds?: number): Promise<ExecResult>;
}

export type HandlerResult = StepResult | { status: 'quit' };
export type StepHandler = (ctx: StepContext) => Promise<HandlerResult>;

export function recordOf(r: ExecResult): ExecRecord {
  return {
    command: r.script,
    outcome: r.outcome,
    code: r.code,
    durationMs: r.durationMs,
    stdoutTail: tail(r.stdout),
    stderrTail: tail(r.stderr),
  };
}

export function makeExec(ports: RunPorts, signal: AbortSignal, execs: ExecRecord[]) {
  return async (node: PlannedNode, script: string, timeoutSeconds = 60): Promise<ExecResult> => {
    const r = await ports.shell(node.name).run(script, { signal, timeoutMs: timeoutSeconds * 1000 });
    execs.push(recordOf(r));
    return r;
  };
}

/** Evidence of a failed command: its output tails, then the node's latest journal lines. */
export function execEvidence(ctx: StepContext, r: ExecResult | null, node = ctx.node.name): string[] {
  const ev: string[] = [];
  if (r) {
    ev.push(`$ ${r.script}`, `→ ${r.outcome}${r.code === null ? '' : ` (exit ${r.code})`}`);
    if (r.stderr.trim()) ev.push(...tail(r.stderr, 10).split('\n'));
    if (r.stdout.trim()) ev.push(...tail(r.stdout, 10).split('\n'));
  }
  const logs = ctx.tails.recent(node, 20);
  if (logs.length > 0) ev.push(`-- journal of ${node} (last ${logs.length} lines)`, ...logs);
  return ev;
}

export type FailedResult = Extract<StepResult, { status: 'failed' }>;

export function failed(ctx: StepContext, f: Omit<Failure, 'node' | 'key'> & { node?: string }): FailedResult {
  return { status: 'failed', failure: { node: f.node ?? ctx.node.name, key: ctx.step.key, ...f }, execs: ctx.execs };
}

/** The first retry comes this soon: most conditions hold within a second of the step that caused them. */
export const FIRST_RETRY_MS = 250;

/**
 * Polls fn until it says stop or the deadline passes; returns its last answer. Retries back off from
 * FIRST_RETRY_MS, doubling up to intervalMs, so a condition that holds quickly is seen quickly while a slow one
 * costs the node no more than one probe per interval.
 */
export async function poll<T>(
  ctx: StepContext,
  timeoutSeconds: number,
  intervalMs: number,
  fn: () => Promise<{ stop: boolean; value: T }>,
): Promise<T> {
  const deadline = ctx.ports.clock.now() + timeoutSeconds * 1000;
  let wait = Math.min(FIRST_RETRY_MS, intervalMs);
  for (;;) {
    const r = await fn();
    if (r.stop || ctx.signal.aborted || ctx.ports.clock.now() >= deadline) return r.value;
    await ctx.ports.clock.sleep(Math.min(wait, Math.max(0, deadline - ctx.ports.clock.now())), ctx.signal);
    wait = Math.min(wait * 2, intervalMs);
  }
}
