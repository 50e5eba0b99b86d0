// One cluster in one row: what `keyturn status --all-contexts` prints per context and the wizard's cluster picker
// shows. A pure reading of a StatusReport (or of why there is none), so the table, the JSON and the picker agree.
import type { CheckId, CheckStatus, StatusReport } from './status.js';

export interface EarliestExpiry {
  node: string;
  path: string;
  notAfter: string;
  daysLeft: number;
}

export interface ClusterSummary {
  distro: StatusReport['cluster']['distro'];
  version: string;
  /** Nodes known (API, inventory or remembered list) and how many of them keyturn reached. */
  nodes: number;
  reachableNodes: number;
  /** The leaf certificate that expires first across every node; null when none was read. */
  earliestExpiry: EarliestExpiry | null;
  /** The verdicts of the checks of the same names (`ca-consistency`, `encryption-hashes`, `etcd-quorum`). */
  ca: CheckStatus;
  encryption: CheckStatus;
  etcd: CheckStatus;
  /** Every check that did not pass, in the contract's order. */
  failing: CheckId[];
}

/** A cluster as scanned: its report, or why there is none; `exitCode` is what `keyturn status` on it alone exits with. */
export interface ClusterRead {
  context: string;
  /** The API URL of the context, or null when the kubeconfig could not be read that far. */
  server: string | null;
  exitCode: number;
  /** Why the cluster could not be read (or its API refused the kubeconfig), in one line; null when it was read. */
  problem: string | null;
  summary: ClusterSummary | null;
  report: StatusReport | null;
}

export function summarize(report: StatusReport): ClusterSummary {
  let earliest: EarliestExpiry | null = null;
  for (const node of report.nodes) {
    for (const c of node.certificates) {
      if (c.isCA || (earliest && c.daysLeft >= earliest.daysLeft)) continue;
      earliest = { node: node.name, path: c.path, notAfter: c.notAfter, daysLeft: c.daysLeft };
    }
  }
  const verdict = (id: CheckId): CheckStatus => report.checks.find((c) => c.id === id)?.status ?? 'unknown';
  return {
    distro: report.cluster.distro,
    version: report.cluster.version,
    nodes: report.nodes.length,
    reachableNodes: report.nodes.filter((n) => n.reachable).length,
    earliestExpiry: earliest,
    ca: verdict('ca-consistency'),
    encryption: verdict('encryption-hashes'),
    etcd: verdict('etcd-quorum'),
    failing: report.checks.filter((c) => c.status !== 'pass').map((c) => c.id),
  };
}

/** The worst exit code of several clusters: 2 (one could not be read) over 1 (a check did not pass) over 0. */
export function worstExitCode(reads: readonly Pick<ClusterRead, 'exitCode'>[]): number {
  return reads.reduce((worst, r) => Math.max(worst, r.exitCode), 0);
}
