// Plain-text rendering of a StatusReport for `keyturn status` without --json: a node table, the checks and the
// diagnoses. No colours or cursor control, so it reads the same in a terminal, a pipe and an incident ticket.
import type { CheckStatus, NodeStatus, StatusReport } from '../model/status.js';

export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function certSummary(n: NodeStatus): string {
  if (!n.reachable) return '-';
  const counts = { expired: 0, 'not-yet-valid': 0, warning: 0, ok: 0 };
  for (const c of n.certificates) counts[c.status] += 1;
  const bad = counts.expired + counts['not-yet-valid'];
  if (bad > 0) return `${bad} EXPIRED/INVALID`;
  const soonest = n.certificates
    .filter((c) => !c.isCA)
    .reduce<number | null>((m, c) => (m === null || c.daysLeft < m ? c.daysLeft : m), null);
  const left = soonest === null ? '' : ` (${soonest}d)`;
  return counts.warning > 0 ? `${counts.warning} renew soon${left}` : `${n.certificates.length} ok${left}`;
}

function serviceSummary(n: NodeStatus): string {
  if (!n.reachable) return 'unreachable';
  const restarts = n.service.restarts > 0 ? ` (${n.service.restarts} restarts)` : '';
  return `${n.service.state}${restarts}`;
}

function encryptionSummary(n: NodeStatus): string {
  if (!n.encryption) return '-';
  const { stage, hash, hashMatchesConfig } = n.encryption;
  return `${stage}-${hash.slice(0, 8)}${hashMatchesConfig ? '' : ' MISMATCH'}`;
}

function etcdSummary(n: NodeStatus): string {
  if (!n.etcd) return '-';
  if (!n.etcd.healthy) return `UNHEALTHY${n.etcd.error ? ` (${n.etcd.error.slice(0, 60)})` : ''}`;
  return n.etcd.isLeader ? 'healthy, leader' : 'healthy';
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: '????' };

export function bannerFor(report: StatusReport): string | null {
  switch (report.cluster.source) {
    case 'api':
      return null;
    case 'inventory':
      return 'NOTE: the Kubernetes API could not be read; nodes come from the inventory (versions and readiness unknown).';
    case 'remembered':
      return 'NOTE: the Kubernetes API could not be read and no inventory was given; nodes come from the list remembered at the last good scan.';
  }
}

/** "reachable", or why not in a word: a refused kubeconfig is not an API that is down. */
export function apiState(cluster: StatusReport['cluster']): string {
  if (cluster.apiReachable) return 'reachable';
  switch (cluster.apiProblem?.kind) {
    case 'unauthorized':
      return 'REFUSED the kubeconfig user (401)';
    case 'forbidden':
      return 'FORBIDS the kubeconfig user (403)';
    case 'tls':
      return 'NOT VERIFIED by the kubeconfig CA (TLS)';
    default:
      return 'NOT reachable';
  }
}

/**
 * `fixCommand`: the `keyturn …` line a diagnosis suggests, given its words (the status command passes one that adds
 * the operator's --kubeconfig/--context/--inventory).
 */
export function formatStatusText(report: StatusReport, fixCommand: (args: string[]) => string): string {
  const { cluster } = report;
  const out: string[] = [];
  out.push(
    `keyturn status: ${cluster.distro}${cluster.version ? ` ${cluster.version}` : ''}, API ${apiState(cluster)}, ${report.nodes.length} node(s) (source: ${cluster.source})`,
  );
  const banner = bannerFor(report);
  if (banner) out.push(banner);
  out.push('');
  if (report.nodes.length > 0) {
    out.push(
      ...table([
        ['NODE', 'ADDRESS', 'ROLES', 'VERSION', 'READY', 'SERVICE', 'CERTIFICATES', 'ENCRYPTION', 'ETCD'],
        ...report.nodes.map((n) => [
          n.name,
          n.address,
          n.roles.join(','),
          n.version || '-',
          n.ready === null ? '?' : n.ready ? 'yes' : 'NO',
          serviceSummary(n),
          certSummary(n),
          encryptionSummary(n),
          etcdSummary(n),
        ]),
      ]),
      '',
    );
  }
  out.push('CHECKS');
  for (const c of report.checks) out.push(`  ${MARK[c.status]}  ${c.id.padEnd(17)} ${c.detail}`);
  const diagnosed = report.nodes.filter((n) => n.diagnoses.length > 0);
  if (diagnosed.length > 0) {
    out.push('', 'DIAGNOSES');
    for (const n of diagnosed) {
      for (const d of n.diagnoses) {
        out.push(`  ${n.name}: ${d.code} — ${d.message}`);
        if (d.evidence)
          out.push(`      evidence: ${d.evidence.length > 300 ? `${d.evidence.slice(0, 300)}…` : d.evidence}`);
        if (d.recipe) out.push(`      fix: ${fixCommand(['plan', d.recipe])}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
