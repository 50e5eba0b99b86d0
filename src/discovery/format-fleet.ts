// Plain-text rendering of several clusters for `keyturn status --context a --context b` / `--all-contexts`: one row
// per cluster, a cluster that could not be read a row with why; with --detail each cluster's own status text after.
import type { ClusterRead, ClusterSummary } from '../model/cluster-summary.js';
import type { CheckStatus } from '../model/status.js';
import { formatStatusText, table } from './format-status.js';

const VERDICT: Record<CheckStatus, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', unknown: '?' };

function expiryCell(s: ClusterSummary): string {
  const e = s.earliestExpiry;
  if (!e) return '-';
  return e.daysLeft <= 0 ? `EXPIRED ${-e.daysLeft}d ago (${e.node})` : `${e.daysLeft}d (${e.node})`;
}

function row(read: ClusterRead): string[] {
  const s = read.summary;
  if (!s || (read.problem && read.exitCode === 2 && s.reachableNodes === 0)) {
    return [
      read.context,
      '-',
      '-',
      s ? String(s.nodes) : '-',
      '-',
      '-',
      '-',
      '-',
      `NOT READ: ${read.problem ?? 'unknown'}`,
    ];
  }
  const nodes = s.reachableNodes === s.nodes ? String(s.nodes) : `${s.reachableNodes}/${s.nodes} reached`;
  const ids = s.failing.length > 0 ? s.failing.join(',') : '-';
  const failing = read.problem ? `${ids}; ${read.problem}` : ids;
  return [
    read.context,
    s.distro,
    s.version || '-',
    nodes,
    expiryCell(s),
    VERDICT[s.ca],
    VERDICT[s.encryption],
    VERDICT[s.etcd],
    failing,
  ];
}

/** `fixCommand(context, args)`: the `keyturn …` line a diagnosis suggests, aimed at that context. */
export function formatFleetText(
  reads: readonly ClusterRead[],
  detail: boolean,
  fixCommand: (context: string, args: string[]) => string,
): string {
  const unread = reads.filter((r) => r.exitCode === 2).length;
  const failing = reads.filter((r) => r.exitCode === 1).length;
  const passing = reads.filter((r) => r.exitCode === 0).length;
  const out = [
    `keyturn status: ${reads.length} cluster(s): ${passing} passing every check, ${failing} with checks not passing, ${unread} not read`,
    '',
    ...table([
      ['CONTEXT', 'DISTRO', 'VERSION', 'NODES', 'EARLIEST EXPIRY', 'CA', 'ENCRYPTION', 'ETCD', 'FAILING CHECKS'],
      ...reads.map(row),
    ]),
  ];
  if (detail) {
    for (const read of reads) {
      out.push('', `=== context ${read.context}${read.server ? ` (${read.server})` : ''} ===`);
      if (read.report) out.push(formatStatusText(read.report, (args) => fixCommand(read.context, args)).trimEnd());
      if (read.problem)
        out.push(`keyturn: ${read.report && read.summary?.reachableNodes ? '' : 'could not be read: '}${read.problem}`);
    }
  } else {
    out.push('', 'Each cluster in full: add --detail, or run keyturn status --context NAME.');
  }
  return `${out.join('\n')}\n`;
}
