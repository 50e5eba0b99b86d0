// Scans that start before the API has answered. Loading the Kubernetes client and asking the API take most of a
// second, while an inventory already says how to reach each node and what it is: those nodes' scans run in the
// meantime. A prefetched scan is used only when the API's view gives the node exactly the same scan plan (same
// roles, address, data-dir, etcd peers); otherwise the node is scanned again, so the API still decides.
import { setMaxListeners } from 'node:events';
import type { Distro } from '../model/cluster.js';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import type { NodeShell } from '../transports/types.js';
import { fetchScan, type ScanFetch } from './node-scan.js';
import type { Limiter } from './pool.js';
import type { ScanPlan } from './scan-script.js';
import { mergeTargets, type NodeTarget } from './targets.js';

export type ScanRequest = Omit<ScanPlan, 'marker'>;

export const JOURNAL_LINES = 40;

/** Equal keys mean equal scripts: the plan with its lists in a fixed order. */
export function scanKey(name: string, plan: ScanRequest): string {
  return JSON.stringify([
    name,
    plan.distro,
    [...plan.roles].sort(),
    plan.address,
    plan.dataDir,
    [...plan.etcdPeers].sort(),
    plan.journalLines,
    plan.configFile ?? null,
  ]);
}

/** The scan plan of a node whose distro and roles are known; etcd peers are the other etcd servers' addresses. */
export function scanRequestFor(
  t: NodeTarget,
  kind: { distro: Distro; roles: NodeTarget['roles'] & {} },
  etcdAddresses: readonly string[],
): ScanRequest {
  return {
    distro: kind.distro,
    roles: kind.roles,
    address: t.address,
    dataDir: t.access.dataDir ?? null,
    etcdPeers: etcdAddresses.filter((a) => a !== t.address),
    journalLines: JOURNAL_LINES,
  };
}

export interface ScanTiming {
  shellFor: (node: InventoryNode) => NodeShell;
  limiter: Limiter;
  timeoutMs?: number;
}

/**
 * Runs one scan through the shared limiter. The scan is one-shot (no ssh master is opened for it), so there is
 * nothing to close here: the session disposes every shell once, at its end (cluster-session.ts), outside any slot.
 */
export function runScan(t: NodeTarget, plan: ScanRequest, opts: ScanTiming, signal?: AbortSignal): Promise<ScanFetch> {
  return opts.limiter(async () => {
    if (signal?.aborted) return { result: undefined, sections: [] };
    return fetchScan(opts.shellFor(t.access), plan, { timeoutMs: opts.timeoutMs, signal });
  });
}

export interface Prefetch {
  /** The prefetched scan with this key, handed out once. */
  take(key: string): Promise<ScanFetch> | undefined;
  /** Stops what nobody took: queued scans do not start, running ones are aborted. */
  cancel(): void;
}

export function prefetchScans(inventory: Inventory, opts: ScanTiming): Prefetch {
  const controller = new AbortController();
  // Every prefetched scan listens on this one signal: dozens of listeners are expected, and Node's warning about
  // them would land on stderr — over the wizard's screen.
  setMaxListeners(0, controller.signal);
  const targets = mergeTargets(null, inventory);
  const etcdAddresses = targets.filter((t) => t.roles?.includes('etcd')).map((t) => t.address);
  const started = new Map<string, Promise<ScanFetch>>();
  for (const t of targets) {
    if (!t.distro || !t.roles) continue; // needs a look at the node's disk first: scanned once the API answered
    const plan = scanRequestFor(t, { distro: t.distro, roles: t.roles }, etcdAddresses);
    const scan = runScan(t, plan, opts, controller.signal);
    scan.catch(() => {}); // a scan nobody takes must not become an unhandled rejection
    started.set(scanKey(t.name, plan), scan);
  }
  return {
    take: (key) => {
      const scan = started.get(key);
      started.delete(key);
      return scan;
    },
    cancel: () => {
      started.clear();
      controller.abort();
    },
  };
}
