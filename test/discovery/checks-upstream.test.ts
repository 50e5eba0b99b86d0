// Checks that must agree with what RKE2/K3s really do (issue #13, #14): a starting Type=notify server is not a
// loop, a check that read nothing is unknown, annotations alone are not a verified match, a running re-encryption
// is a warning, an annotation upstream cannot parse fails, and a missing private key fails naming it.
import { describe, expect, it } from 'vitest';
import { runChecks, type CheckInput, type NodeFacts } from '../../src/discovery/checks.js';
import { buildEtcdView } from '../../src/discovery/etcd-view.js';
import type { Role } from '../../src/model/cluster.js';
import type { Check, NodeStatus } from '../../src/model/status.js';

const H = (c: string) => c.repeat(64);

function node(name: string, roles: Role[], over: Partial<NodeStatus> = {}, facts: Partial<NodeFacts> = {}): NodeFacts {
  return {
    status: {
      name,
      address: `10.0.0.${name.length}`,
      roles,
      version: 'v1.32.5+k3s1',
      ready: true,
      reachable: true,
      service: { unit: 'k3s', state: 'active', subState: 'running', restarts: 0 },
      certificates: [],
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

function input(nodes: NodeFacts[]): CheckInput {
  return { api: { configured: true, ok: true, detail: 'x' }, nodes, etcd: buildEtcdView([]) };
}
const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id)!;

describe('services: what systemd shows for a Type=notify, Restart=always unit', () => {
  it('activating/start with no restarts is starting (warn), not a restart loop', () => {
    const checks = runChecks(
      input([
        node('cp1', ['control-plane'], {
          service: { unit: 'k3s', state: 'activating', subState: 'start', restarts: 0 },
        }),
      ]),
    );
    expect(byId(checks, 'services')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('cp1 k3s is starting (activating/start, no restarts)'),
    });
    expect(byId(checks, 'services').detail).not.toContain('restart loop');
  });

  it('activating/auto-restart is a loop even when NRestarts was reset; failed with restarts is a loop', () => {
    const checks = runChecks(
      input([
        node('cp1', ['control-plane'], {
          service: { unit: 'k3s', state: 'activating', subState: 'auto-restart', restarts: 0 },
        }),
        node('cp2', ['control-plane'], { service: { unit: 'k3s', state: 'failed', subState: 'failed', restarts: 5 } }),
      ]),
    );
    const s = byId(checks, 'services');
    expect(s.status).toBe('fail');
    expect(s.detail).toContain('cp1 k3s restart loop (activating/auto-restart, 0 restarts)');
    expect(s.detail).toContain('cp2 k3s restart loop (failed/failed, 5 restarts)');
  });
});

describe('a check that read nothing is unknown, with why', () => {
  it('etcd-quorum does not pass "external datastore" when no nodes are known', () => {
    expect(byId(runChecks(input([])), 'etcd-quorum')).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('no nodes known'),
    });
    expect(byId(runChecks(input([node('w1', ['worker'])])), 'etcd-quorum').status).toBe('unknown');
    expect(byId(runChecks(input([node('cp1', ['control-plane'])])), 'etcd-quorum')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('external datastore'),
    });
  });

  it('encryption-hashes does not pass "not enabled" when the state file could not be read', () => {
    const denied = node(
      'cp1',
      ['control-plane'],
      { encryption: null },
      {
        encryptionProblem:
          "encryption-state.json unreadable: head: cannot open '/var/lib/rancher/k3s/server/cred/encryption-state.json' for reading: Permission denied",
      },
    );
    expect(byId(runChecks(input([denied])), 'encryption-hashes')).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('Permission denied'),
    });
    const absent = node(
      'cp1',
      ['control-plane'],
      { encryption: null },
      {
        encryptionProblem:
          "encryption-state.json unreadable: head: cannot open '/x' for reading: No such file or directory",
      },
    );
    expect(byId(runChecks(input([absent])), 'encryption-hashes')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('not enabled'),
    });
  });
});

describe('encryption-hashes against what upstream stores', () => {
  it('says "from annotations only" when no server\'s config was read, never "match their own config"', () => {
    const unreachable = (name: string) =>
      node(
        name,
        ['control-plane'],
        { reachable: false, encryption: null },
        { failure: 'ssh: timeout', encryptionAnnotation: `start-${H('a')}` },
      );
    const c = byId(runChecks(input([unreachable('cp1'), unreachable('cp2')])), 'encryption-hashes');
    expect(c.status).toBe('warn');
    expect(c.detail).toContain('from annotations only');
    expect(c.detail).not.toContain('match their own config');
  });

  it('a re-encryption in progress (annotation reencrypt_active, state file still rotate) warns: no other rotation', () => {
    const checks = runChecks(
      input([
        node(
          'cp1',
          ['control-plane'],
          { encryption: { stage: 'rotate', hash: H('b'), configHash: H('b'), hashMatchesConfig: true } },
          { encryptionAnnotation: `reencrypt_active-${H('b')}` },
        ),
        node(
          'cp2',
          ['control-plane'],
          { encryption: { stage: 'rotate', hash: H('b'), configHash: H('b'), hashMatchesConfig: true } },
          { encryptionAnnotation: `rotate-${H('b')}` },
        ),
      ]),
    );
    expect(byId(checks, 'encryption-hashes')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        're-encryption in progress on cp1 (reencrypt_active): do not start another rotation',
      ),
    });
    const request = runChecks(
      input([node('cp1', ['control-plane'], {}, { encryptionAnnotation: `reencrypt_request-${H('e')}` })]),
    );
    expect(byId(request, 'encryption-hashes').status).toBe('warn');
  });

  it("an empty or unparseable annotation on a reachable server fails, naming upstream's error", () => {
    for (const ann of ['', `start${H('e')}`, `start-${H('e')}-x`]) {
      const c = byId(
        runChecks(
          input([node('cp1', ['control-plane'], {}, { encryptionAnnotation: ann }), node('cp2', ['control-plane'])]),
        ),
        'encryption-hashes',
      );
      expect(c.status, ann).toBe('fail');
      expect(c.detail).toContain(`cp1: annotation ${JSON.stringify(ann)} is not <stage>-<hash>`);
    }
  });
});

describe('certificates', () => {
  it('fails naming a private key missing beside its certificate', () => {
    const c = byId(
      runChecks(input([node('cp1', ['control-plane'], {}, { missingKeys: ['server/tls/etcd/client.key'] })])),
      'certificates',
    );
    expect(c).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cp1 server/tls/etcd/client.key missing beside server/tls/etcd/client.crt'),
    });
  });
});
