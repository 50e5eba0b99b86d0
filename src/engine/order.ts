// Which of the ordered nodes a phase walks. The order itself is a fact shared with every view: src/model/rotation-order.ts.
import type { NodeSelector } from '../recipe-schema/types.js';
import type { PlannedNode } from './plan-types.js';

/** The nodes a phase walks, in order (reverse for phases that take the cluster down). */
export function selectNodes(
  ordered: readonly PlannedNode[],
  selector: NodeSelector,
  order: 'forward' | 'reverse' = 'forward',
): PlannedNode[] {
  let picked: PlannedNode[];
  switch (selector) {
    case 'all':
      picked = [...ordered];
      break;
    case 'servers':
      picked = ordered.filter((n) => n.server);
      break;
    case 'agents':
      picked = ordered.filter((n) => !n.server);
      break;
    case 'etcd-servers':
      picked = ordered.filter((n) => n.etcd);
      break;
    case 'non-etcd-servers':
      picked = ordered.filter((n) => n.server && !n.etcd);
      break;
    case 'one-control-plane':
      picked = ordered.filter((n) => n.roles.includes('control-plane')).slice(0, 1);
      break;
    case 'one-server':
      picked = ordered.filter((n) => n.server).slice(0, 1);
      break;
    default: {
      const never: never = selector;
      throw new Error(`unexpected selector ${String(never)}`);
    }
  }
  return order === 'reverse' ? picked.reverse() : picked;
}
