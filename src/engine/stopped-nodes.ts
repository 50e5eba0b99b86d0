// Nodes this run took down and has not brought back: the last service op of theirs that ran was a stop (or the
// killall) and no start or restart of theirs has been tried since. After a failed step such a node's workloads
// (or its share of the control plane) are down until someone starts it, so the failure says so loudly and the
// operator is offered the start — a confirmed action, journalled as `node-started`.
import { serviceEffectOf } from './service-effect.js';
import { renderOp } from './commands.js';
import type { Operator, RunEvent } from './events.js';
import type { PlannedNode } from './plan-types.js';
import { findNode } from './plan-types.js';
import type { RunPorts } from './ports.js';
import { applyEvent, type RunState } from './reducer.js';

export function stoppedNodes(state: RunState): PlannedNode[] {
  const down = new Map<string, boolean>();
  for (const block of state.plan.blocks) {
    for (const step of block.steps) {
      if (step.step.kind !== 'command') continue;
      const st = state.steps[step.key];
      const effect = serviceEffectOf(step.step.run);
      // A stop counts once it finished; a start counts once tried (a failed start leaves systemd retrying it).
      if (effect === 'down' && st.status === 'done') down.set(block.node, true);
      if (effect === 'up' && st.attempts > 0) down.set(block.node, false);
    }
  }
  return state.plan.nodes.filter((n) => down.get(n.name) === true);
}

export function startCommandFor(node: PlannedNode): string {
  return renderOp({ op: 'service', action: 'start' }, node);
}

/** The loud line for a node left stopped: what is down and the exact command that brings it back. */
export function stoppedLine(node: PlannedNode): string {
  return `${node.name} is STOPPED: this run stopped ${node.unit} and failed before starting it again — start it with \`${startCommandFor(node)}\` on ${node.name}`;
}

/** Runs the start the operator confirmed and journals it; the state it returns folds that event in. */
export async function startStoppedNode(
  ports: Pick<RunPorts, 'shell' | 'journal' | 'clock'>,
  state: RunState,
  name: string,
  operator: Operator,
): Promise<{ state: RunState; ok: boolean; detail: string }> {
  const node = findNode(state.plan, name);
  const command = startCommandFor(node);
  const r = await ports.shell(node.name).run(command, { timeoutMs: 600_000 });
  const ok = r.outcome === 'ok';
  const detail = ok
    ? `${node.unit} started on ${node.name}`
    : `\`${command}\` ${r.outcome === 'exit' ? `exited ${r.code}` : r.outcome} on ${node.name}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`;
  const event: RunEvent = {
    type: 'node-started',
    at: new Date(ports.clock.now()).toISOString(),
    node: node.name,
    command,
    operator,
    outcome: ok ? 'ok' : 'failed',
    detail,
  };
  await ports.journal.append(event);
  return { state: applyEvent(state, event), ok, detail };
}
