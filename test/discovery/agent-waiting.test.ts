// An agent retrying its server in-process (k3s-io/k3s pkg/agent/run.go: an error line every 2 s, no exit) is
// "waiting for a server", not a restart loop; a crashing unit (activating/auto-restart) still is a loop. Read on real
// upstream journals: k3s#12539 (current wording), k3s#9748 (bare wording, v1.28.7) and k3s#3727 (stale token).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks, type NodeFacts } from '../../src/discovery/checks.js';
import { diagnose } from '../../src/discovery/diagnose.js';
import { buildEtcdView } from '../../src/discovery/etcd-view.js';
import { parseJournal } from '../../src/discovery/parse-journal.js';
import { splitStatusKey } from '../../src/model/secrets-encrypt-status.js';
import type { UnitState } from '../../src/discovery/parse-systemctl.js';
import { fixturesDir } from '../support/paths.js';

const fixture = (name: string) => readFileSync(path.join(fixturesDir, name), 'utf8').split('\n').slice(1).join('\n');
const unit = (activeState: string, subState: string, restarts = 0): UnitState => ({
  activeState,
  subState,
  restarts,
  activeEnterTimestamp: null,
  loadState: 'loaded',
});
const codes = (text: string, roles: ('worker' | 'control-plane')[], u: UnitState) =>
  diagnose(parseJournal(text), { roles, unit: u }).map((d) => d.code);

describe('agent waiting for a server', () => {
  it('reads the current and the older wording of the retry as waiting, on a notify (activating/start) or exec (active) unit', () => {
    for (const name of ['k3s-agent-validate-connection-retry-current.txt', 'k3s-agent-cacerts-retry-bare-v1.28.txt']) {
      expect(codes(fixture(name), ['worker'], unit('activating', 'start')), name).toEqual(['agent-waiting-for-server']);
      expect(codes(fixture(name), ['worker'], unit('active', 'running')), name).toEqual(['agent-waiting-for-server']);
    }
    const [found] = diagnose(parseJournal(fixture('k3s-agent-validate-connection-retry-current.txt')), {
      roles: ['worker'],
      unit: unit('activating', 'start'),
    });
    expect(found.message).toBe(
      'the agent cannot reach or validate a server and retries every 2 s (activating/start, 0 restarts; not a restart loop): ERRO[0014] Failed to validate connection to cluster at https://127.0.0.1:6443: failed to get CA certs: Get "https://127.0.0.1:6443/cacerts": dial tcp 127.0.0.1:6443: connect: connection refused',
    );
    expect(found.recipe).toBeNull();
  });

  it('a stale token (k3s#3727) is the same in-process retry, and the token is named as its cause', () => {
    const agentLines = fixture('k3s-journal-token-ca-hash-mismatch-and-supervisor-bad-certificate.txt')
      .split('\n')
      .filter((l) => l.includes('k3s[5015]'))
      .join('\n');
    expect(codes(agentLines, ['worker'], unit('activating', 'start'))).toEqual([
      'agent-waiting-for-server',
      'token-ca-hash-mismatch',
    ]);
  });

  it('is still a restart loop when systemd restarts the unit, or on a server', () => {
    const text = fixture('k3s-agent-validate-connection-retry-current.txt');
    expect(codes(text, ['worker'], unit('activating', 'auto-restart', 3))).toEqual(['restart-loop']);
    expect(codes(text, ['control-plane'], unit('activating', 'auto-restart', 2))).toEqual(['restart-loop']);
  });

  it('is over once the agent connected', () => {
    const text = `${fixture('k3s-agent-validate-connection-retry-current.txt')}\nINFO[0016] Connecting to proxy url="wss://10.0.0.1:6443/v1-k3s/connect"\nINFO[0017] k3s agent is up and running`;
    expect(codes(text, ['worker'], unit('active', 'running'))).toEqual([]);
  });

  it('the services check names the wait, not a loop', () => {
    const [waiting] = diagnose(parseJournal(fixture('k3s-agent-validate-connection-retry-current.txt')), {
      roles: ['worker'],
      unit: unit('activating', 'start'),
    });
    const agent: NodeFacts = {
      status: {
        name: 'w1',
        address: '10.0.0.9',
        roles: ['worker'],
        version: 'v1.32.5+k3s1',
        ready: false,
        reachable: true,
        service: { unit: 'k3s-agent', state: 'activating', restarts: 0 },
        certificates: [],
        caFingerprints: {},
        encryption: null,
        etcd: null,
        diagnoses: [waiting],
      },
      failure: null,
      certProblems: [],
      encryptionProblem: null,
      encryptionAnnotation: null,
    };
    const services = runChecks({
      api: { configured: false, ok: false, detail: '' },
      nodes: [agent],
      etcd: buildEtcdView([]),
    }).find((c) => c.id === 'services')!;
    expect(services.status).toBe('fail');
    expect(services.detail).toContain(
      'w1 k3s-agent cannot reach or validate a server, retrying every 2 s (activating, 0 restarts)',
    );
    expect(services.detail).not.toContain('restart loop');
  });
});

describe('status -o json keys', () => {
  it('splits `<type> <name>` (current releases) and keeps a bare name (before k3s#12021)', () => {
    expect(splitStatusKey('AES-CBC aescbckey-2025-05-01T10:00:00Z')).toEqual({
      type: 'AES-CBC',
      name: 'aescbckey-2025-05-01T10:00:00Z',
    });
    expect(splitStatusKey('XSalsa20-POLY1305 secretboxkey')).toEqual({
      type: 'XSalsa20-POLY1305',
      name: 'secretboxkey',
    });
    expect(splitStatusKey('aescbckey')).toEqual({ type: '', name: 'aescbckey' });
  });
});
