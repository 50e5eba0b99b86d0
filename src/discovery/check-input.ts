// What the status checks read, and the two helpers every check uses to write its detail. A leaf, so that the
// per-node checks (checks.ts) and the cross-node ones (checks-cluster.ts) both build on it without an import cycle.
import type { Check, CheckStatus, NodeStatus } from '../model/status.js';
import type { EtcdView } from './etcd-view.js';

export interface NodeFacts {
  status: NodeStatus;
  /** Why the node could not be scanned; null when it was. */
  failure: string | null;
  /** Expected certificate files that are missing or unreadable. */
  certProblems: string[];
  /** Private keys (paths relative to the data dir) missing beside their certificates. */
  missingKeys?: string[];
  encryptionProblem: string | null;
  /** Why the service state is unknown on a reached node. */
  unitProblem?: string | null;
  /** API annotation `<prog>.io/encryption-config-hash`, for control-plane servers. */
  encryptionAnnotation: string | null;
}

export interface CheckInput {
  api: { configured: boolean; ok: boolean; detail: string };
  nodes: NodeFacts[];
  etcd: EtcdView;
}

export function check(id: Check['id'], status: CheckStatus, detail: string): Check {
  return { id, status, detail };
}

/** "a, b and 3 more": details stay one readable line on a 200-node cluster. */
export function listNames(items: readonly string[], max = 8): string {
  if (items.length <= max) return items.join('; ');
  return `${items.slice(0, max).join('; ')}; and ${items.length - max} more`;
}
