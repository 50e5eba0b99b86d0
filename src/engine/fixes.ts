// What fixes a failure: a recipe when the evidence names a known signature (field-notes "Signatures"), else the
// action for the check that failed.
import { shJoin } from '../util/shell-quote.js';
import { dataDirArgs } from './data-dir-flag.js';
import type { PlannedNode } from './plan-types.js';

const SIGNATURES: { pattern: RegExp; fix: string }[] = [
  {
    pattern: /authentication handshake failed|failed to get etcd MemberList|tls: bad certificate/i,
    fix: 'etcd rejects or cannot reach this node: run `keyturn run recover-restart-loop` (stop every server, start etcd servers one at a time, then control-plane, then agents)',
  },
  {
    pattern: /x509: certificate has expired or is not yet valid/i,
    fix: 'expired leaves or clock skew: check the node clock (timedatectl), then `keyturn run renew-expired-certs`',
  },
  {
    pattern: /Unit \S+\.service not loaded|could not be found/i,
    fix: "the unit does not exist on this node: check the node's distro and role in the inventory",
  },
  {
    pattern: /newer than datastore/i,
    fix: "the node's bootstrap data is newer than the datastore: restore server/tls from this run's backup, or see k3s#5442",
  },
  {
    pattern: /RAFT NO LEADER|unhealthy cluster/i,
    fix: 'etcd has no quorum: start the remaining etcd servers one at a time (`keyturn run recover-restart-loop`)',
  },
];

export function fixFor(check: string, node: PlannedNode, evidence: readonly string[], runningRecipe?: string): string {
  const text = evidence.join('\n');
  for (const s of SIGNATURES) {
    if (runningRecipe && s.fix.includes(`keyturn run ${runningRecipe}`)) continue; // not the recipe that just failed
    if (s.pattern.test(text)) return s.fix;
  }
  const resume = 'then `keyturn resume` re-checks and continues';
  switch (check) {
    case 'connection':
      return `keyturn could not reach ${node.name}: check ssh/inventory for it, ${resume}`;
    case 'unit-active':
    case 'settle':
      return `read \`journalctl -u ${node.unit} -n 200\` on ${node.name}, fix the cause, ${resume}`;
    case 'etcd-quorum':
      return `check every etcd member (curl /health from a server), bring the unhealthy one back, ${resume}`;
    case 'node-ready':
      return `\`kubectl describe node ${node.name}\` and the kubelet log on it, ${resume}`;
    case 'certs-fresh':
      return `stop ${node.unit} on ${node.name}, run \`${shJoin([node.distro, 'certificate', 'rotate', ...dataDirArgs(node)])}\`, start it, ${resume}`;
    case 'cas-unchanged':
      return `a CA changed unexpectedly: restore ${node.dataDir}/server/tls from this run's tls.keyturn-* backup and restart ${node.unit}`;
    case 'no-expired-leaf':
      return '`keyturn run renew-expired-certs`, or `keyturn run rotate-certs` if the cluster is up';
    case 'encryption-hashes':
    case 'encryption-stage':
      return `on ${node.name}: compare ${node.dataDir}/server/cred/encryption-config.json with the other servers' (sha256sum); if it changed by hand restore it from this run's cred.keyturn-* backup (or the last good one), restart ${node.unit} so it publishes its hash again, ${resume}`;
    case 'encryption-provider':
      return 'secretbox rotates only with rotate-keys: upgrade every control-plane server to a release with safe rotate-keys (k3s v1.30.5+/v1.31.1+/v1.32+, RKE2 v1.30.2+/v1.31+), then plan again';
    case 'reencrypt':
      return `re-encryption continues on the server while its service runs: \`${shJoin([node.distro, 'secrets-encrypt', 'status', ...dataDirArgs(node)])}\` on ${node.name}, read its journal for SecretsProgress/SecretsUpdateError, ${resume}`;
    case 'ca-consistent':
      return `k3s#11233: ${node.name} took its CA from a peer's disk. Restart ${node.unit} on ${node.name} once a server holding the new CA is up (the init/datastore-loaded server first), or copy server/tls/{server,client,request-header}-ca.{crt,key} (and tls/etcd CAs) from a correct server, then restart it; ${resume}`;
    case 'etcd-member-stopped':
      return `the etcd member on ${node.name} still runs: on RKE2 run ${node.distro}-killall.sh there (a unit stop leaves the static pod), then \`keyturn resume\``;
    case 'disruption':
      return 'finish the other server first: `keyturn resume` continues with it';
    default:
      return `inspect ${node.name} (${node.unit}), fix the cause, ${resume}`;
  }
}
