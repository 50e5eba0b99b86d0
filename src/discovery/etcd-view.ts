// The cluster-wide etcd picture, assembled from every etcd server's own probes (etcd-local-probe.ts). A per-node
// health probe does not prove quorum (rancher#54185): the member list comes from a healthy server, and each member's
// health is what its own node's probe says. Since k3s#8402 a member's HTTP is on its node's loopback only, so a
// member on a node keyturn cannot reach (or does not know) has unknown health, and says why.
import type { EtcdInfo } from '../model/status.js';
import type { EtcdProbe } from './node-scan.js';
import { urlHost, type EtcdMemberEntry } from './parse-etcd.js';

export interface EtcdNodeInput {
  name: string;
  address: string;
  /** Null when the node was not reached (no probe ran). */
  probe: EtcdProbe | null;
}

export interface EtcdMemberView {
  id: string;
  name: string;
  /** Node this member runs on, when we know it. */
  node: string | null;
  healthy: boolean | null;
  isLeader: boolean;
  error: string | null;
}

export interface EtcdView {
  /** False when no etcd server answered with a member list. */
  known: boolean;
  members: EtcdMemberView[];
  leader: string | null;
  /** etcd-role nodes with no member in the list. */
  missing: string[];
  /** Per etcd node, for NodeStatus.etcd. */
  byNode: Map<string, EtcdInfo>;
  /** Why the view is unknown: each etcd node's error. */
  errors: string[];
  /** Nodes whose member status (the leader's source) could not be read although etcd answered its health. */
  statusErrors: string[];
}

function healthyProbe(p: EtcdProbe | null): boolean {
  return !!p && p.health.ok && p.health.value.healthy;
}

function memberForNode(members: EtcdMemberEntry[], node: EtcdNodeInput): EtcdMemberEntry | undefined {
  const byUrl = members.find((m) => [...m.clientURLs, ...m.peerURLs].some((u) => urlHost(u) === node.address));
  // RKE2/K3s name members <node>-<8 hex>.
  return byUrl ?? members.find((m) => m.name === node.name || m.name.startsWith(`${node.name}-`));
}

function nodeError(p: EtcdProbe | null): string | null {
  if (!p) return 'node not reached';
  if (!p.listening)
    return `etcd not running: nothing listens on 127.0.0.1:2381 (${p.health.ok ? 'no answer' : p.health.error})`;
  if (!p.health.ok) return p.health.error;
  if (!p.health.value.healthy) return `unhealthy${p.health.value.reason ? `: ${p.health.value.reason}` : ''}`;
  if (p.status.ok && p.status.value.errors.length > 0) return p.status.value.errors.join('; ');
  return null;
}

export function buildEtcdView(nodes: readonly EtcdNodeInput[]): EtcdView {
  const healthy = nodes.filter((n) => healthyProbe(n.probe));
  const listSource = [...healthy, ...nodes].find((n) => n.probe?.members.ok);
  const members = listSource?.probe?.members.ok ? listSource.probe.members.value.members : [];
  const statuses = [...healthy, ...nodes].map((n) => n.probe?.status).filter((s) => s?.ok);
  const leaderRaw = statuses.map((s) => (s?.ok ? s.value.leader : null)).find((l) => l && l !== '0') ?? null;
  const leader = leaderRaw && members.some((m) => m.id === leaderRaw) ? leaderRaw : null;

  const nodeOf = new Map<string, EtcdNodeInput>();
  for (const n of nodes) {
    const m = memberForNode(members, n);
    if (m) nodeOf.set(m.id, n);
  }
  const memberViews: EtcdMemberView[] = members.map((m) => {
    const node = nodeOf.get(m.id) ?? null;
    const isHealthy = node?.probe ? healthyProbe(node.probe) : null;
    const where = m.peerURLs[0] ?? m.clientURLs[0] ?? 'no URL';
    return {
      id: m.id,
      name: m.name || `(unstarted ${m.id})`,
      node: node?.name ?? null,
      healthy: isHealthy,
      isLeader: m.id === leader,
      error: isHealthy
        ? null
        : node
          ? nodeError(node.probe)
          : `on no node keyturn knows (${where}): its health can only be read on its own node — add that node to the inventory`,
    };
  });

  const byNode = new Map<string, EtcdInfo>();
  for (const n of nodes) {
    const view = memberViews.find((v) => v.node === n.name);
    byNode.set(n.name, {
      member: view?.name ?? '',
      healthy: view ? view.healthy === true : healthyProbe(n.probe),
      isLeader: view?.isLeader ?? false,
      error: view ? view.error : listSource ? 'not a member of the etcd cluster' : nodeError(n.probe),
    });
  }
  return {
    known: !!listSource,
    members: memberViews,
    leader: memberViews.find((v) => v.isLeader)?.name ?? null,
    missing: listSource ? nodes.filter((n) => !memberViews.some((v) => v.node === n.name)).map((n) => n.name) : [],
    byNode,
    errors: nodes.map((n) => `${n.name}: ${nodeError(n.probe) ?? 'no member list'}`),
    statusErrors: nodes.flatMap((n) =>
      n.probe && healthyProbe(n.probe) && !n.probe.status.ok ? [`${n.name}: ${n.probe.status.error}`] : [],
    ),
  };
}
