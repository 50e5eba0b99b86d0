// Which cluster a run belongs to. Node names repeat across estates (etcd-1, etcd-2…), so a run journal must carry
// something that tells clusters apart before `resume` or the dashboard's "continue" touches a node: the API URL
// (which can change: a new load balancer), the cluster CA fingerprints the nodes hold (which survive a URL change;
// rotate-ca's bundles keep the old root, and nodes not yet restarted keep the old CA) and the nodes' addresses.
import { redact } from '../util/redact.js';
import type { StatusReport } from './status.js';

export interface ClusterIdentity {
  /** The API server URL from the kubeconfig, when one was used. */
  server: string | null;
  /** Distinct sha256 fingerprints of the server-ca the nodes hold; absent in journals older than this field. */
  caFingerprints?: string[];
  /** name@address of every node, sorted; absent in journals older than this field. */
  nodes?: string[];
}

export function identityOf(report: StatusReport, server: string | null): ClusterIdentity {
  const cas = report.nodes
    .map((n) => n.caFingerprints['server-ca'])
    .filter((f): f is string => typeof f === 'string' && f !== '');
  // A run's journal records it and refusals print it: a password in the URL is no part of which cluster it is.
  return {
    server: server === null ? null : redact(server),
    caFingerprints: [...new Set(cas)].sort(),
    nodes: report.nodes.map((n) => `${n.name}@${n.address}`).sort(),
  };
}

const overlaps = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

/**
 * Whether `now` is the cluster `recorded` was taken from. The CA is the strongest evidence either way; without it
 * (a node unreachable, an old journal) the node addresses decide, then the API URL.
 */
export function sameCluster(recorded: ClusterIdentity, now: ClusterIdentity): boolean {
  if (recorded.caFingerprints?.length && now.caFingerprints?.length)
    return overlaps(recorded.caFingerprints, now.caFingerprints);
  if (recorded.nodes?.length && now.nodes?.length) {
    const addresses = (ids: readonly string[]) => ids.map((id) => id.slice(id.lastIndexOf('@') + 1));
    return overlaps(addresses(recorded.nodes), addresses(now.nodes));
  }
  return recorded.server !== null && recorded.server === now.server;
}

/** One phrase naming a cluster for an operator: its API URL (or its first nodes) and the start of its CA. */
export function describeCluster(id: ClusterIdentity): string {
  const where =
    id.server ?? `nodes ${(id.nodes ?? []).slice(0, 3).join(', ')}${(id.nodes?.length ?? 0) > 3 ? ', …' : ''}`;
  const ca = id.caFingerprints?.length ? ` (server CA ${id.caFingerprints.map((f) => f.slice(0, 12)).join('/')})` : '';
  return `${where || 'an unknown cluster'}${ca}`;
}
