// Node order: servers before agents; etcd-only servers first, then etcd+control-plane, then control-plane-only,
// then agents; the init node first among equals, then by name (natural order: node-2 before node-10).
import type { Role } from '../model/cluster.js';
import type { NodeSelector } from '../recipe-schema/types.js';
import type { PlannedNode, Tier } from './plan-types.js';
import { naturalCompare } from '../util/natural-order.js';

const TIER_RANK: Record<Tier, number> = { 'etcd-only': 0, 'etcd-control-plane': 1, 'control-plane-only': 2, agent: 3 };

export function tierOf(roles: readonly Role[]): Tier {
  const etcd = roles.includes('etcd');
  const cp = roles.includes('control-plane');
  if (etcd && cp) return 'etcd-control-plane';
  if (etcd) return 'etcd-only';
  if (cp) return 'control-plane-only';
  return 'agent';
}


export function compareNodes(a: PlannedNode, b: PlannedNode): number {
  return TIER_RANK[a.tier] - TIER_RANK[b.tier] || Number(b.init) - Number(a.init) || naturalCompare(a.name, b.name);
}

export function orderNodes(nodes: readonly PlannedNode[]): PlannedNode[] {
  return [...nodes].sort(compareNodes);
}

/** The nodes a phase walks, in order (reverse for phases that take the cluster down). */
export function selectNodes(ordered: readonly PlannedNode[], selector: NodeSelector, order: 'forward' | 'reverse' = 'forward'): PlannedNode[] {
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
