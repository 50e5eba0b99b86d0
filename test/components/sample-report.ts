// A split-role RKE2 cluster as discovery would report it, with one of each trouble the screens must show.
// Nodes are listed out of rotation order on purpose: the table must reorder them.
import type { CertificateInfo, NodeStatus, StatusReport } from '../../src/model/status.js';
import type { Role } from '../../src/model/cluster.js';

const DATA = '/var/lib/rancher/rke2';
const CA_OK = 'aa'.repeat(32);
const CA_DRIFT = 'bb'.repeat(32);
const ENC = 'start-' + 'c0ffee12'.repeat(8);

export function cert(name: string, daysLeft: number, extra: Partial<CertificateInfo> = {}): CertificateInfo {
  const status = daysLeft <= 0 ? 'expired' : daysLeft <= 120 ? 'warning' : 'ok';
  return {
    path: `${DATA}/server/tls/${name}.crt`,
    subject: `CN=${name}`,
    issuer: 'CN=rke2-server-ca@1700000000',
    notAfter: new Date(Date.UTC(2026, 0, 1) + daysLeft * 86_400_000).toISOString(),
    daysLeft,
    status,
    isCA: false,
    sha256: (name.length.toString(16).padStart(2, '0') + 'deadbeef').repeat(8).slice(0, 64),
    ...extra,
  };
}

export function node(name: string, roles: Role[], over: Partial<NodeStatus> = {}): NodeStatus {
  const server = roles.includes('etcd') || roles.includes('control-plane');
  return {
    name,
    address: `127.0.10.${name.length}`,
    roles,
    version: 'v1.32.5+rke2r1',
    ready: true,
    reachable: true,
    service: { unit: server ? 'rke2-server' : 'rke2-agent', state: 'active', restarts: 0 },
    certificates: [
      cert('server-ca', 3600, { isCA: true }),
      cert('client-admin', 300),
      cert('serving-kube-apiserver', 280),
    ],
    caFingerprints: { 'server-ca': CA_OK, 'client-ca': CA_OK },
    encryption: roles.includes('control-plane')
      ? { stage: 'start', hash: ENC, configHash: ENC.slice(6), hashMatchesConfig: true }
      : null,
    etcd: roles.includes('etcd') ? { member: `${name}-1a2b`, healthy: true, isLeader: false, error: null } : null,
    diagnoses: [],
    ...over,
  };
}

export function splitReport(): StatusReport {
  return {
    cluster: { distro: 'rke2', version: 'v1.32.5+rke2r1', apiReachable: true, source: 'api' },
    nodes: [
      node('agent-2', ['worker'], { certificates: [cert('client-kubelet', -3)] }),
      node('cp-1', ['control-plane'], {
        service: { unit: 'rke2-server', state: 'activating', restarts: 12 },
        diagnoses: [
          {
            code: 'etcd-handshake',
            message: 'cannot reach etcd: authentication handshake failed',
            evidence: 'level=fatal msg="failed to get etcd MemberList: transport: authentication handshake failed"',
            recipe: 'recover-restart-loop',
          },
        ],
      }),
      node('etcd-2', ['etcd'], { caFingerprints: { 'server-ca': CA_DRIFT, 'client-ca': CA_OK } }),
      node('agent-1', ['worker'], { certificates: [cert('client-kubelet', 60)] }),
      node('etcd-1', ['etcd'], { etcd: { member: 'etcd-1-9f', healthy: true, isLeader: true, error: null } }),
      node('cp-2', ['control-plane'], {
        encryption: {
          stage: 'prepare',
          hash: 'prepare-' + '0badcafe'.repeat(8),
          configHash: '11'.repeat(32),
          hashMatchesConfig: false,
        },
      }),
      node('etcd-3', ['etcd'], {
        etcd: { member: 'etcd-3-77', healthy: false, isLeader: false, error: 'connection refused' },
      }),
    ],
    checks: [
      { id: 'api', status: 'pass', detail: 'https://127.0.0.1:6443 answered /readyz' },
      { id: 'certificates', status: 'fail', detail: '1 expired leaf on agent-2' },
      { id: 'ca-consistency', status: 'fail', detail: 'etcd-2 holds a different server-ca' },
      { id: 'encryption-hashes', status: 'warn', detail: 'cp-2 differs from its config' },
      { id: 'etcd-quorum', status: 'unknown', detail: 'etcd-3 did not answer' },
    ],
  };
}
