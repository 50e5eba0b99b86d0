// keyturn's one way of asking an etcd server about etcd: on that server, about its own member, over its own
// loopback. Used by the status scan (scan-script.ts), the etcd-quorum gate (engine/checks/etcd.ts) and the
// rotate-ca member check (engine/ca/checks.ts).
//
// Why on the node: since k3s#8402 (Oct 2023 releases: v1.26.10, v1.27.7, v1.28.3 and later minors, K3s and
// RKE2) the embedded etcd serves only gRPC on the client port 2379; HTTP (/health, /version, the /v3 JSON
// gateway) is on https://127.0.0.1:2382, and plain /health and /metrics on http://127.0.0.1:2381, both loopback
// only (k3s pkg/etcd/etcd.go listenClientHTTPURLs, listenMetricsURLs). Older releases serve HTTP on 2379 and have
// no 2382. So:
// - health: http://127.0.0.1:2381/health (no certificates; both layouts). etcd 3.4 answers {"health":"true"},
//   3.5 {"health":"true","reason":""}, and "false" (3.5: reason "RAFT NO LEADER") without a leader. Nothing
//   listening there (curl exit 7) means the member is not running — whatever systemctl says (an RKE2 etcd static
//   pod outlives `systemctl stop rke2-server`).
// - member list and status: POST https://127.0.0.1:2382/v3/..., and only when 2382 refuses the connection
//   (curl exit 7: the layout before k3s#8402) https://127.0.0.1:2379/v3/... — in the same script, one round trip.
//   The server's own client certificate (server-ca.crt, client.crt/key): keys never leave the node.
import {
  parseEtcdHealth,
  parseEtcdMemberList,
  parseEtcdStatus,
  type EtcdEndpointStatus,
  type EtcdHealth,
  type EtcdMemberList,
} from './parse-etcd.js';
import { sectionBody, type ScanSection } from '../util/sections.js';

/** A probe answer or why there is none (curl's message: refused, timeout, TLS). */
export type Probe<T> = { ok: true; value: T } | { ok: false; error: string };

export interface EtcdProbe {
  /** The member's own /health on 127.0.0.1:2381. */
  health: Probe<EtcdHealth>;
  /** False when nothing listens on the node's 127.0.0.1:2381: the member is not running. */
  listening: boolean;
  members: Probe<EtcdMemberList>;
  status: Probe<EtcdEndpointStatus>;
}

export type EtcdProbeKind = 'etcd-health' | 'etcd-members' | 'etcd-status';

/** The shell call that prints each probe's answer (or curl's error) and returns curl's exit code. */
export const ETCD_PROBE_CALLS: Readonly<Record<EtcdProbeKind, string>> = {
  'etcd-health': 'kt_etcd_health',
  'etcd-members': 'kt_etcd_gw /v3/cluster/member/list',
  'etcd-status': 'kt_etcd_gw /v3/maintenance/status',
};

/** curl's exit code for "Failed to connect": nothing listens on that port of the node's loopback. */
export const CURL_COULDNT_CONNECT = 7;

/**
 * POSIX sh lines defining the probe calls. `tlsDir` is a shell word (already quoted, or "$DD/..." in the scan)
 * naming the node's server/tls/etcd directory.
 */
export function etcdProbeDefinitions(tlsDir: string): string[] {
  const curl = 'curl -sS --connect-timeout 2 --max-time 5';
  const certs =
    '--cacert "$KT_ETCD_TLS/server-ca.crt" --cert "$KT_ETCD_TLS/client.crt" --key "$KT_ETCD_TLS/client.key"';
  return [
    `KT_ETCD_TLS=${tlsDir}`,
    `kt_etcd_health() { ${curl} http://127.0.0.1:2381/health 2>&1; }`,
    `kt_etcd_gw() { kt_o=$(${curl} ${certs} -X POST -d '{}' "https://127.0.0.1:2382$1" 2>&1); kt_r=$?; ` +
      `if [ "$kt_r" -eq ${CURL_COULDNT_CONNECT} ]; then kt_o=$(${curl} ${certs} -X POST -d '{}' "https://127.0.0.1:2379$1" 2>&1); kt_r=$?; fi; ` +
      `printf '%s' "$kt_o"; return "$kt_r"; }`,
  ];
}

function probe<T>(section: ScanSection | undefined, parse: (text: string) => T | null): Probe<T> {
  if (!section) return { ok: false, error: 'not probed' };
  const value = section.rc === 0 ? parse(section.body) : null;
  if (value !== null) return { ok: true, value };
  const text = section.body.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  return { ok: false, error: text || (section.rc !== null ? `curl exit ${section.rc}` : 'no answer') };
}

/** The probe's sections read into values; null when the script printed no etcd-health section at all. */
export function readEtcdProbe(sections: readonly ScanSection[]): EtcdProbe | null {
  const health = sectionBody(sections, 'etcd-health');
  if (!health) return null;
  return {
    health: probe(health, parseEtcdHealth),
    listening: health.rc !== CURL_COULDNT_CONNECT,
    members: probe(sectionBody(sections, 'etcd-members'), parseEtcdMemberList),
    status: probe(sectionBody(sections, 'etcd-status'), parseEtcdStatus),
  };
}
