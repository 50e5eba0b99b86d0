// Discovery: who the nodes are (API, else inventory, else the remembered list), one scan per node in bounded
// parallel, then the cluster-wide views and the checks. Read-only; every failure is part of the report.
import { isServer, serviceUnit, type Distro, type Role } from '../model/cluster.js';
import type { Inventory, InventoryNode } from '../model/inventory.js';
import type { ClusterSource, NodePreview, NodeStatus, StatusReport } from '../model/status.js';
import { renewWindowDays } from '../model/versions.js';
import type { ExecResult, KubeGateway, NodeShell } from '../transports/types.js';
import { readApi, type ApiView } from './api-view.js';
import { runChecks, type NodeFacts } from './checks.js';
import { caNameOf } from './checks-cluster.js';
import { detectNode } from './detect.js';
import { buildEtcdView } from './etcd-view.js';
import { fallbackFailure, fetchScan, interpretScan, type NodeScan } from './node-scan.js';
import { createLimiter, SCAN_CONCURRENCY, type Limiter } from './pool.js';
import { runScan, scanKey, scanRequestFor, type Prefetch } from './prefetch.js';
import { previewOf } from './preview.js';
import { mergeTargets, mostCommon, type NodeTarget } from './targets.js';

export interface DiscoverOptions {
  gateway: KubeGateway | null;
  inventory: Inventory | null;
  remembered: Inventory | null;
  shellFor: (node: InventoryNode) => NodeShell;
  now: Date;
  /** Nodes scanned at once (default SCAN_CONCURRENCY). */
  concurrency?: number;
  /** Shared with `prefetch` so that both together stay within the bound. */
  limiter?: Limiter;
  /** Scans started from the inventory while the API was being read (prefetch.ts). */
  prefetch?: Prefetch;
  scanTimeoutMs?: number;
  describeFailure?: (result: ExecResult) => string;
  /**
   * Versions the API told at the last good discovery, by node name: used when the API cannot be asked now (the
   * renew window and the recipes' version gates depend on them).
   */
  knownVersions?: Record<string, string>;
  /** Told the node list as soon as it is known, before any node is scanned. */
  onPreview?: (preview: NodePreview) => void;
  /** The API's answer, asked for before discovery was (cluster-session.ts); read from the gateway when absent. */
  api?: Promise<ApiView>;
}

/**
 * Fills in distro and roles nobody told us, by looking at the node's disk; else why not, in the words of the
 * transport (the ssh error: connection refused, host key verification failed…), never a generic line.
 */
async function completeTarget(
  t: NodeTarget,
  clusterDistro: Distro | undefined,
  shell: NodeShell,
  describe: (r: ExecResult) => string,
): Promise<{ distro: Distro; roles: Role[] } | { failure: string }> {
  const distro = t.distro ?? clusterDistro ?? null;
  if (distro && t.roles) return { distro, roles: t.roles };
  const found = await detectNode(shell, distro, t.access.dataDir ?? null);
  if (!found.ok) return { failure: describe(found.exec) };
  if (!found.detected.distro)
    return {
      failure: `node ${t.name}: neither rke2 nor k3s is installed there (no binary, /etc/rancher or /var/lib/rancher) — set distro: (and dataDir:) in the inventory`,
    };
  return { distro: found.detected.distro, roles: t.roles ?? found.detected.roles ?? ['worker'] };
}

function caFingerprints(scan: NodeScan): Record<string, string> {
  const out: Record<string, string> = {};
  if (!scan.reached) return out;
  // The server's own copy (server/tls) wins over the agent copy; drift between them shows in ca-consistency.
  const ordered = [...scan.certificates].sort(
    (a, b) => Number(a.path.startsWith('server/')) - Number(b.path.startsWith('server/')),
  );
  for (const c of ordered) {
    const name = caNameOf(c.path);
    if (name) out[name] = c.sha256;
  }
  return out;
}

export async function discoverCluster(opts: DiscoverOptions): Promise<StatusReport> {
  const api = await (opts.api ?? readApi(opts.gateway));
  let source: ClusterSource = 'api';
  let targets: NodeTarget[];
  if (api.nodes) targets = mergeTargets(api.nodes, opts.inventory);
  else if (opts.inventory) [source, targets] = ['inventory', mergeTargets(null, opts.inventory)];
  else if (opts.remembered) [source, targets] = ['remembered', mergeTargets(null, opts.remembered)];
  else [source, targets] = [opts.gateway ? 'api' : 'inventory', []];

  if (opts.knownVersions)
    targets = targets.map((t) => (t.version ? t : { ...t, version: opts.knownVersions?.[t.name] ?? '' }));
  opts.onPreview?.(previewOf(targets, source, true));

  const clusterVersion = mostCommon(targets.map((t) => t.version).filter(Boolean)) ?? '';
  const clusterDistro = mostCommon(targets.map((t) => t.distro).filter((d): d is Distro => d !== null));
  const etcdAddresses = targets.filter((t) => t.roles?.includes('etcd')).map((t) => t.address);

  const limiter = opts.limiter ?? createLimiter(opts.concurrency ?? SCAN_CONCURRENCY);
  const timing = { shellFor: opts.shellFor, limiter, timeoutMs: opts.scanTimeoutMs };
  const scanOptions = (t: NodeTarget) => ({
    now: opts.now,
    renewWindowDays: renewWindowDays(t.version || clusterVersion),
    timeoutMs: opts.scanTimeoutMs,
    describeFailure: opts.describeFailure,
  });
  const scanned = await Promise.all(
    targets.map(async (t) => {
      if (t.distro && t.roles) {
        const kind = { distro: t.distro, roles: t.roles };
        const plan = scanRequestFor(t, kind, etcdAddresses);
        const fetched = await (opts.prefetch?.take(scanKey(t.name, plan)) ?? runScan(t, plan, timing));
        return { t, kind, scan: interpretScan(fetched, plan, scanOptions(t)) };
      }
      // Two commands (a look at the disk, then the scan): over ssh the first opens the node's master and the scan
      // rides it. The session stops that master when it ends (cluster-session.ts), not inside the limiter's slot.
      return limiter(async () => {
        const shell = opts.shellFor(t.access);
        const kind = await completeTarget(t, clusterDistro, shell, opts.describeFailure ?? fallbackFailure);
        if ('failure' in kind) return { t, kind: null, scan: { reached: false, failure: kind.failure } as NodeScan };
        const plan = scanRequestFor(t, kind, etcdAddresses);
        return {
          t,
          kind,
          scan: interpretScan(await fetchScan(shell, plan, { timeoutMs: opts.scanTimeoutMs }), plan, scanOptions(t)),
        };
      });
    }),
  );
  opts.prefetch?.cancel();

  const etcdView = buildEtcdView(
    scanned
      .filter(({ t, kind }) => (kind?.roles ?? t.roles ?? []).includes('etcd'))
      .map(({ t, scan }) => ({ name: t.name, address: t.address, probe: scan.reached ? scan.etcd : null })),
  );

  const facts: NodeFacts[] = scanned.map(({ t, kind, scan }) => {
    const roles = kind?.roles ?? t.roles ?? [];
    const distro = kind?.distro ?? t.distro ?? clusterDistro;
    const status: NodeStatus = {
      name: t.name,
      address: t.address,
      roles,
      version: t.version,
      ready: t.ready,
      reachable: scan.reached,
      ...(scan.reached && scan.dataDir ? { dataDir: scan.dataDir } : {}),
      service: {
        // The unit the node actually runs (a custom k3s-<name> unit is found by the scan), else upstream's default.
        unit: scan.reached && scan.unitName ? scan.unitName : distro ? serviceUnit(distro, roles) : '',
        state: scan.reached ? (scan.unit?.activeState ?? 'unknown') : 'unknown',
        ...(scan.reached && scan.unit ? { subState: scan.unit.subState } : {}),
        restarts: scan.reached ? (scan.unit?.restarts ?? 0) : 0,
      },
      certificates: scan.reached ? scan.certificates : [],
      caFingerprints: caFingerprints(scan),
      encryption: scan.reached && isServer(roles) ? scan.encryption : null,
      etcd: roles.includes('etcd') ? (etcdView.byNode.get(t.name) ?? null) : null,
      diagnoses: scan.reached ? scan.diagnoses : [],
    };
    return {
      status,
      failure: scan.reached ? null : scan.failure,
      certProblems: scan.reached ? scan.certProblems.map((p) => p.detail) : [],
      missingKeys: scan.reached ? scan.missingKeys.map((k) => k.path) : [],
      encryptionProblem: scan.reached ? scan.encryptionProblem : null,
      unitProblem: scan.reached ? scan.unitProblem : null,
      encryptionAnnotation: t.encryptionAnnotation,
    };
  });

  const seenDistro = mostCommon(scanned.map((s) => s.kind?.distro).filter((d): d is Distro => !!d)) ?? clusterDistro;
  return {
    cluster: {
      distro: seenDistro ?? 'unknown',
      version: clusterVersion,
      apiReachable: api.ready,
      source,
      ...(api.problem ? { apiProblem: api.problem } : {}),
    },
    nodes: facts.map((f) => f.status),
    checks: runChecks({
      api: { configured: api.configured, ok: api.ready, detail: api.detail },
      nodes: facts,
      etcd: etcdView,
    }),
  };
}
