import { describe, expect, it } from 'vitest';
import { exitCodeFor, runChecks, type CheckInput, type NodeFacts } from '../../src/discovery/checks.js';
import { buildEtcdView } from '../../src/discovery/etcd-view.js';
import type { EtcdProbe } from '../../src/discovery/node-scan.js';
import type { CertificateInfo, Check, NodeStatus } from '../../src/model/status.js';
import type { Role } from '../../src/model/cluster.js';

const H = (c: string) => c.repeat(64);
const cert = (path: string, sha: string, over: Partial<CertificateInfo> = {}): CertificateInfo => ({
  path,
  subject: 'CN=x',
  issuer: 'CN=ca',
  notAfter: '2026-06-01T00:00:00.000Z',
  daysLeft: 300,
  status: 'ok',
  isCA: /-ca\.crt$/.test(path),
  sha256: sha,
  ...over,
});

function node(name: string, roles: Role[], over: Partial<NodeStatus> = {}, facts: Partial<NodeFacts> = {}): NodeFacts {
  const server = roles.some((r) => r !== 'worker');
  return {
    status: {
      name,
      address: `10.0.0.${name.length}`,
      roles,
      version: 'v1.32.5+rke2r1',
      ready: true,
      reachable: true,
      service: { unit: server ? 'rke2-server' : 'rke2-agent', state: 'active', restarts: 0 },
      certificates: [
        cert('agent/server-ca.crt', H('a')),
        cert('agent/client-kubelet.crt', H('1')),
        ...(server ? [cert('server/tls/server-ca.crt', H('a'))] : []),
      ],
      caFingerprints: {},
      encryption: roles.includes('control-plane')
        ? { stage: 'start', hash: H('e'), configHash: H('e'), hashMatchesConfig: true }
        : null,
      etcd: null,
      diagnoses: [],
      ...over,
    },
    failure: null,
    certProblems: [],
    encryptionProblem: null,
    encryptionAnnotation: null,
    ...facts,
  };
}

const healthy = (address: string, id: string, members: [string, string, string][], leader = '1'): EtcdProbe => ({
  health: { ok: true, value: { healthy: true, reason: '' } },
  members: {
    ok: true,
    value: {
      answeredBy: id,
      members: members.map(([mid, name, addr]) => ({
        id: mid,
        name,
        peerURLs: [],
        clientURLs: [`https://${addr}:2379`],
        isLearner: false,
      })),
    },
  },
  listening: true,
  status: { ok: true, value: { memberId: id, leader, version: '3.5', errors: [], isLearner: false } },
});
const MEMBERS: [string, string, string][] = [
  ['1', 'e1-aa', '10.0.1.1'],
  ['2', 'e2-bb', '10.0.1.2'],
  ['3', 'e3-cc', '10.0.1.3'],
];

function cluster(mutate: (nodes: NodeFacts[]) => void = () => undefined, probes?: (EtcdProbe | null)[]): CheckInput {
  const nodes = [
    node('e1', ['etcd'], { address: '10.0.1.1' }),
    node('e2', ['etcd'], { address: '10.0.1.2' }),
    node('e3', ['etcd'], { address: '10.0.1.3' }),
    node('cp1', ['control-plane']),
    node('cp2', ['control-plane']),
    node('w1', ['worker']),
  ];
  mutate(nodes);
  const p = probes ?? MEMBERS.map(([id, , addr]) => healthy(addr, id, MEMBERS));
  const etcd = buildEtcdView(
    nodes.slice(0, 3).map((n, i) => ({ name: n.status.name, address: n.status.address, probe: p[i] })),
  );
  return { api: { configured: true, ok: true, detail: 'https://x:6443' }, nodes, etcd };
}
const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

describe('checks', () => {
  it('all pass on a healthy split cluster', () => {
    const checks = runChecks(cluster());
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['api', 'pass'],
      ['nodes', 'pass'],
      ['services', 'pass'],
      ['certificates', 'pass'],
      ['ca-consistency', 'pass'],
      ['encryption-hashes', 'pass'],
      ['etcd-quorum', 'pass'],
    ]);
    expect(byId(checks, 'etcd-quorum').detail).toContain('leader e1-aa');
    expect(exitCodeFor(checks)).toBe(0);
  });

  it('api: fails when readyz fails, unknown without a kubeconfig', () => {
    const input = cluster();
    expect(
      byId(runChecks({ ...input, api: { configured: true, ok: false, detail: 'unavailable (HTTP 503)' } }), 'api'),
    ).toMatchObject({ status: 'fail', detail: expect.stringContaining('503') });
    expect(byId(runChecks({ ...input, api: { configured: false, ok: false, detail: '' } }), 'api').status).toBe(
      'unknown',
    );
  });

  it('certificates: expired fails naming node and file; renew window warns', () => {
    const expired = runChecks(
      cluster((n) => {
        n[5].status.certificates[1] = cert('agent/client-kubelet.crt', H('1'), { status: 'expired', daysLeft: -3 });
      }),
    );
    expect(byId(expired, 'certificates')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('w1 agent/client-kubelet.crt expired'),
    });
    const soon = runChecks(
      cluster((n) => {
        n[3].status.certificates[1] = cert('agent/client-kubelet.crt', H('1'), { status: 'warning', daysLeft: 40 });
      }),
    );
    expect(byId(soon, 'certificates')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('cp1 agent/client-kubelet.crt expires in 40 days'),
    });
    expect(exitCodeFor(soon)).toBe(1);
  });

  it('ca-consistency: names the odd node out, comparing server/tls and agent copies by CA name', () => {
    const checks = runChecks(
      cluster((n) => {
        n[4].status.certificates[0] = cert('agent/server-ca.crt', H('b'));
      }),
    );
    const c = byId(checks, 'ca-consistency');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('server-ca differs on cp2 agent/server-ca.crt');
    expect(c.detail).not.toContain('e1');
  });

  it('encryption-hashes: own config mismatch and disagreement name the server; etcd-only servers are ignored', () => {
    const own = runChecks(
      cluster((n) => {
        n[3].status.encryption = { stage: 'start', hash: H('e'), configHash: H('f'), hashMatchesConfig: false };
      }),
    );
    expect(byId(own, 'encryption-hashes')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^cp1: state hash/),
    });
    const differ = runChecks(
      cluster((n) => {
        n[4].status.encryption = { stage: 'prepare', hash: H('d'), configHash: H('d'), hashMatchesConfig: true };
        n[5].status.roles = ['worker'];
      }),
    );
    expect(byId(differ, 'encryption-hashes').detail).toMatch(/cp1 has start-eeee.*|cp2 has prepare-dddd/);
    expect(byId(differ, 'encryption-hashes').status).toBe('fail');
    const off = runChecks(
      cluster((n) => {
        for (const i of [3, 4]) {
          n[i].status.encryption = null;
          n[i].encryptionProblem = 'encryption-state.json unreadable: No such file';
        }
      }),
    );
    expect(byId(off, 'encryption-hashes')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('not enabled'),
    });
    const half = runChecks(
      cluster((n) => {
        n[4].status.encryption = null;
        n[4].encryptionProblem = 'encryption-state.json unreadable: No such file';
      }),
    );
    expect(byId(half, 'encryption-hashes')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cp2: encryption-state.json unreadable'),
    });
    const viaAnnotation = runChecks(
      cluster((n) => {
        n[4] = node(
          'cp2',
          ['control-plane'],
          { reachable: false, encryption: null },
          { failure: 'ssh down', encryptionAnnotation: `rotate-${H('9')}` },
        );
      }),
    );
    expect(byId(viaAnnotation, 'encryption-hashes').detail).toMatch(/cp1 has start-eeee|cp2 has rotate-9999/);
    const etcdOnly = runChecks(
      cluster((n) => {
        n[0].status.encryption = { stage: 'x', hash: H('0'), configHash: H('1'), hashMatchesConfig: false };
      }),
    );
    expect(byId(etcdOnly, 'encryption-hashes').status).toBe('pass');
  });

  it("etcd-quorum: names unhealthy members from their own nodes' probes, requires a leader", () => {
    const down = {
      health: { ok: false as const, error: 'curl: (7) Failed to connect to 127.0.0.1 port 2381' },
      listening: false,
      members: { ok: false as const, error: 'x' },
      status: { ok: false as const, error: 'x' },
    };
    const one = runChecks(
      cluster(() => undefined, [healthy('10.0.1.1', '1', MEMBERS), healthy('10.0.1.2', '2', MEMBERS), down]),
    );
    const q = byId(one, 'etcd-quorum');
    expect(q.status).toBe('fail');
    expect(q.detail).toContain('member e3-cc on e3 unhealthy (etcd not running: nothing listens on 127.0.0.1:2381');
    expect(q.detail).toContain('quorum holds (2/3)');
    // A node keyturn cannot reach: its member's health is unknown (no peer can read it since k3s#8402).
    const unreached = byId(
      runChecks(cluster(() => undefined, [healthy('10.0.1.1', '1', MEMBERS), null, healthy('10.0.1.3', '3', MEMBERS)])),
      'etcd-quorum',
    );
    expect(unreached.detail).toContain('member e2-bb on e2 health unknown (node not reached)');
    const two = runChecks(cluster(() => undefined, [healthy('10.0.1.1', '1', MEMBERS, '0'), down, down]));
    expect(byId(two, 'etcd-quorum').detail).toMatch(/QUORUM LOST \(1\/3.*no leader/);
    const none = runChecks(cluster(() => undefined, [down, down, down]));
    expect(byId(none, 'etcd-quorum')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('e1: etcd not running: nothing listens on 127.0.0.1:2381'),
    });
  });

  it('etcd-quorum: a status read that failed on healthy members is named, not reported as a lost election', () => {
    const statusTimedOut = (addr: string, id: string): EtcdProbe => ({
      ...healthy(addr, id, MEMBERS),
      status: { ok: false, error: 'curl: (28) Operation timed out after 10000 milliseconds' },
    });
    const q = byId(
      runChecks(
        cluster(
          () => undefined,
          MEMBERS.map(([id, , addr]) => statusTimedOut(addr, id)),
        ),
      ),
      'etcd-quorum',
    );
    expect(q.status).toBe('fail');
    expect(q.detail).toContain('quorum holds (3/3)');
    expect(q.detail).toContain(
      'no leader known (the member status could not be read: e1: curl: (28) Operation timed out',
    );
  });

  it('etcd-quorum: a member on no node keyturn knows fails with the fix', () => {
    const withStranger: [string, string, string][] = [...MEMBERS, ['4', 'far-dd', '10.9.9.9']];
    const probes = MEMBERS.map(([id, , addr]) => healthy(addr, id, withStranger));
    const q = byId(runChecks(cluster(() => undefined, probes)), 'etcd-quorum');
    expect(q.status).toBe('fail');
    expect(q.detail).toContain('member far-dd health unknown (on no node keyturn knows');
    expect(q.detail).toContain('add that node to the inventory');
  });

  it('services: restart loops and stopped units fail naming the node', () => {
    const checks = runChecks(
      cluster((n) => {
        n[3].status.service = { unit: 'rke2-server', state: 'activating', restarts: 7 };
        n[3].status.diagnoses = [
          { code: 'restart-loop', message: 'm', evidence: 'level=fatal msg="boom"', recipe: 'recover-restart-loop' },
        ];
        n[5].status.service = { unit: 'rke2-agent', state: 'inactive', restarts: 0 };
      }),
    );
    const s = byId(checks, 'services');
    expect(s.status).toBe('fail');
    expect(s.detail).toContain('cp1 rke2-server restart loop (activating, 7 restarts): level=fatal msg="boom"');
    expect(s.detail).toContain('w1 rke2-agent is inactive');
    const unread = runChecks(
      cluster((n) => {
        n[5].status.service.state = 'unknown';
        n[5].unitProblem = 'systemctl show gave no state: Failed to connect to bus';
      }),
    );
    expect(byId(unread, 'services')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('w1 rke2-agent: systemctl show gave no state: Failed to connect to bus'),
    });
    const restartedOnce = runChecks(
      cluster((n) => {
        n[3].status.service.restarts = 2;
      }),
    );
    expect(byId(restartedOnce, 'services').status).toBe('pass');
  });

  it('nodes: unreachable nodes fail with the reason', () => {
    const checks = runChecks(
      cluster((n) => {
        n[5] = node('w1', ['worker'], { reachable: false, certificates: [] }, { failure: 'ssh: Connection refused' });
      }),
    );
    expect(byId(checks, 'nodes')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('w1 (10.0.0.2): ssh: Connection refused'),
    });
    expect(byId(checks, 'certificates').status).toBe('pass');
  });
});
