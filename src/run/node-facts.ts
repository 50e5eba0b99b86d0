// Per-node facts the planner needs and the API cannot tell, from the nodes the scan reached.
import type { PlanOptions } from '../engine/index.js';
import type { InventoryNode } from '../model/inventory.js';

/** Per-node distro and data dir the API cannot tell: from the inventory (or the remembered nodes). */
export function nodeFactsFrom(access: Iterable<InventoryNode>): NonNullable<PlanOptions['nodeFacts']> {
  const facts: NonNullable<PlanOptions['nodeFacts']> = {};
  for (const n of access) facts[n.name] = { distro: n.distro, dataDir: n.dataDir };
  return facts;
}
