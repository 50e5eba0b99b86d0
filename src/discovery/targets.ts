// Which nodes to scan and what we know of each before touching it: the API's view (roles, version, readiness,
// address) merged with the inventory's (how to reach the node: transport, env, dataDir, ssh options).
import { distroFromVersion, rolesFromLabels, type Distro, type Role } from '../model/cluster.js';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import type { KubeNode } from '../transports/types.js';

export interface NodeTarget {
  name: string;
  /** Where etcd and the kubelet listen: the API's InternalIP, else the inventory address. */
  address: string;
  /** How to reach the node; for API-only nodes, ssh to the InternalIP. */
  access: InventoryNode;
  /** Null when nobody told us (inventory without roles while the API is down). */
  roles: Role[] | null;
  distro: Distro | null;
  version: string;
  ready: boolean | null;
  /** `<prog>.io/encryption-config-hash` annotation, for control-plane servers. */
  encryptionAnnotation: string | null;
  /** EtcdIsVoter condition: true/false, null when absent. */
  etcdVoter: boolean | null;
}

function condition(node: KubeNode, type: string): boolean | null {
  const c = node.conditions.find((x) => x.type === type);
  return c ? c.status === 'True' : null;
}

function annotationHash(node: KubeNode): string | null {
  return (
    node.annotations['rke2.io/encryption-config-hash'] ?? node.annotations['k3s.io/encryption-config-hash'] ?? null
  );
}

function fromInventory(n: InventoryNode): NodeTarget {
  return {
    name: n.name,
    address: n.address,
    access: n,
    roles: n.roles ? [...n.roles] : null,
    distro: n.distro ?? null,
    version: '',
    ready: null,
    encryptionAnnotation: null,
    etcdVoter: null,
  };
}

/** API nodes first (in API order), then inventory nodes the API does not list. */
export function mergeTargets(apiNodes: readonly KubeNode[] | null, inventory: Inventory | null): NodeTarget[] {
  const invNodes = inventory?.nodes ?? [];
  if (!apiNodes) return invNodes.map(fromInventory);
  const used = new Set<InventoryNode>();
  const targets: NodeTarget[] = apiNodes.map((api) => {
    const inv =
      invNodes.find((n) => n.name === api.name) ??
      invNodes.find((n) => api.internalIP !== null && n.address === api.internalIP);
    if (inv) used.add(inv);
    const address = api.internalIP ?? inv?.address ?? api.name;
    return {
      name: api.name,
      address,
      access: inv ?? { name: api.name, address, transport: 'ssh' },
      roles: rolesFromLabels(api.labels),
      distro: inv?.distro ?? distroFromVersion(api.kubeletVersion) ?? null,
      version: api.kubeletVersion,
      ready: condition(api, 'Ready'),
      encryptionAnnotation: annotationHash(api),
      etcdVoter: condition(api, 'EtcdIsVoter'),
    };
  });
  return [...targets, ...invNodes.filter((n) => !used.has(n)).map(fromInventory)];
}

/** The most common value, or undefined for an empty list. */
export function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}
