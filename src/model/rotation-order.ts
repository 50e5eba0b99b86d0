// Rotation order: the one order every run walks the nodes in and every view lists them in (the plan, the dashboard,
// the first screen, `keyturn status`). Servers before agents, because agents take their CA and client certificates
// from a server; among servers the etcd members first, because the control plane cannot start without a quorum it
// trusts (the split-role restart loop after an out-of-order rotation, field-notes "Certificates"). Etcd-only
// servers go before etcd+control-plane ones so a quorum is back before an apiserver has to reach it. Then the init
// node first among equals (it loads the bootstrap data from the datastore; peers that joined with `server:` read a
// peer's disk, k3s#11233), then by name in natural order (node-2 before node-10).
import type { Role } from './cluster.js';
import { naturalCompare } from '../util/natural-order.js';

/** Safe order: etcd-only servers, etcd+control-plane servers, control-plane-only servers, agents. */
export type Tier = 'etcd-only' | 'etcd-control-plane' | 'control-plane-only' | 'agent';

const TIER_RANK: Record<Tier, number> = { 'etcd-only': 0, 'etcd-control-plane': 1, 'control-plane-only': 2, agent: 3 };

export function tierOf(roles: readonly Role[]): Tier {
  const etcd = roles.includes('etcd');
  const cp = roles.includes('control-plane');
  if (etcd && cp) return 'etcd-control-plane';
  if (etcd) return 'etcd-only';
  if (cp) return 'control-plane-only';
  return 'agent';
}

/** What the order reads of a node. `init` is known only where the plan was told (PlanOptions); absent means no. */
export interface Orderable {
  name: string;
  roles: readonly Role[];
  init?: boolean;
}

export function compareRotationOrder(a: Orderable, b: Orderable): number {
  return (
    TIER_RANK[tierOf(a.roles)] - TIER_RANK[tierOf(b.roles)] ||
    Number(b.init === true) - Number(a.init === true) ||
    naturalCompare(a.name, b.name)
  );
}

/** A sorted copy: the nodes in the order a run takes them. */
export function rotationOrder<N extends Orderable>(nodes: readonly N[]): N[] {
  return [...nodes].sort(compareRotationOrder);
}
