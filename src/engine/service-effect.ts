// What a node op does to the node's unit: takes it down (stop, killall), brings it up (start, restart), or neither.
import type { NodeOp } from '../recipe-schema/types.js';

export function serviceEffectOf(op: NodeOp): 'down' | 'up' | null {
  if (op.op === 'killall') return 'down';
  if (op.op !== 'service') return null;
  return op.action === 'stop' ? 'down' : 'up';
}

/** True for a step that stopped the node's unit: resuming after the operator started it must stop it again. */
export function stopsTheNode(op: NodeOp): boolean {
  return serviceEffectOf(op) === 'down';
}
