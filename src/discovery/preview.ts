// The node list as soon as it is known, before any node is scanned: what the wizard's first frame draws. Kept apart
// from discover.ts so the first frame does not wait for the scan's modules to load.
import type { Inventory } from '../model/inventory.js';
import type { ClusterSource, NodePreview } from '../model/status.js';
import type { KubeNode } from '../transports/types.js';
import { mergeTargets, type NodeTarget } from './targets.js';

export function inventoryPreview(inventory: Inventory, final: boolean): NodePreview {
  return previewOf(mergeTargets(null, inventory), 'inventory', final);
}

/** The API's node list alone (no inventory to merge): the first frame of a wizard started with a kubeconfig only. */
export function apiPreview(nodes: readonly KubeNode[]): NodePreview {
  return previewOf(mergeTargets(nodes, null), 'api', true);
}

export function previewOf(targets: readonly NodeTarget[], source: ClusterSource, final: boolean): NodePreview {
  return {
    source,
    final,
    nodes: targets.map((t) => ({ name: t.name, address: t.address, roles: t.roles, version: t.version })),
  };
}
