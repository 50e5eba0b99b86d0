// The etcd gate's probe of one etcd server, in one round trip: its own member's health, the member list and the
// status, all on that server's loopback with its own client certificate (discovery/etcd-local-probe.ts, the one
// home of these probes; keys never leave the node). The gate runs it on every etcd server at once.
import {
  ETCD_PROBE_CALLS,
  etcdProbeDefinitions,
  readEtcdProbe,
  type EtcdProbe,
  type EtcdProbeKind,
} from '../../discovery/etcd-local-probe.js';
import { shq } from '../../util/shell-quote.js';
import { splitSections } from '../../util/sections.js';
import type { PlannedNode } from '../plan-types.js';

// Fixed, not random: what is split are etcd's own JSON answers and curl's messages, which cannot hold a line
// starting with it.
const MARKER = '@@keyturn-etcd@@';

/** The probe script for one server; `kinds` picks the probes (the rotate-ca check needs the health only). */
export function etcdProbeScript(
  node: PlannedNode,
  kinds: readonly EtcdProbeKind[] = ['etcd-health', 'etcd-members', 'etcd-status'],
): string {
  return [
    ...etcdProbeDefinitions(shq(`${node.dataDir}/server/tls/etcd`)),
    ...kinds.map(
      (kind) =>
        `printf '%s\\n' ${shq(`${MARKER} ${kind}`)}; ${ETCD_PROBE_CALLS[kind]}; printf '\\n%s\\n' "${MARKER} rc $?"`,
    ),
  ].join('\n');
}

/** The probe's answers; null when the script printed nothing of it (the node was not reached). */
export function parseEtcdProbe(stdout: string): EtcdProbe | null {
  return readEtcdProbe(splitSections(stdout, MARKER));
}
