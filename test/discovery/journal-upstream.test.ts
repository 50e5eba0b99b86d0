// Journal lines as RKE2/K3s really write them (issue #13): zap JSON from embedded etcd, both event forms of
// SecretsProgress, `tls: bad certificate` by listener and direction, a key missing after an interrupted rotate,
// an encryption annotation upstream cannot parse, and what systemd's states mean for a restart loop.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/discovery/diagnose.js';
import { tlsFailureSite } from '../../src/discovery/diagnose-tls.js';
import { logMessage, parseJournal, parseJournalLine, secretsEventOf } from '../../src/discovery/parse-journal.js';
import { progressFromJournal } from '../../src/engine/encryption/reencrypt.js';
import { fixture } from './support/fixtures.js';

describe('zap JSON lines inside the journal', () => {
  it('reads level and message of embedded etcd lines (rke2#2600)', () => {
    const lines = parseJournal(fixture('rke2-journal-etcd-zap-json.txt'));
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.level === 'info' && l.ident === 'rke2')).toBe(true);
    expect(logMessage(lines[2])).toBe('f5b28ad2e921fc2c became leader at term 4');
    expect(lines[4].fields?.['cluster-id']).toBe('9cc30f3930c3459a');
  });

  it('maps zap levels and carries the error field into the message; a broken JSON line stays text', () => {
    const [, rejected] = parseJournal(fixture('k3s-rke2-journal-tls-bad-certificate.txt'));
    expect(rejected.level).toBe('warning');
    expect(logMessage(rejected)).toBe('rejected connection: remote error: tls: bad certificate');
    expect(parseJournalLine('Jan 1 00:00:00 h k3s[1]: {"level":"fatal","msg":"x"}').level).toBe('fatal');
    expect(parseJournalLine('Jan 1 00:00:00 h k3s[1]: {"level":"error","msg":').level).toBe('unknown');
  });
});

describe('SecretsProgress in the journal, old and new event forms', () => {
  it('reads the Event(v1.ObjectReference{...}) logrus form of k3s v1.24 (k3s#5933) and the klog form (k3s#11384)', () => {
    const old = fixture('k3s-journal-secretsprogress-event-objectreference.txt');
    expect(secretsEventOf(old.split('\n')[0])).toEqual({
      reason: 'SecretsProgress',
      message: 'reencrypted 8490 secrets',
    });
    expect(progressFromJournal(old)).toEqual({ done: 8490, complete: false, error: null });
    expect(progressFromJournal(fixture('k3s-journal-secretsprogress-events.txt')).done).toBe(250);
    const complete = `Apr 21 23:02:18 n k3s[1]: time="x" level=info msg="Event(v1.ObjectReference{Kind:\\"Node\\", Name:\\"n\\"}): type: 'Normal' reason: 'SecretsUpdateComplete' reencrypted 8500 secrets"`;
    expect(progressFromJournal(complete)).toEqual({ done: 8500, complete: true, error: null });
  });
});

describe('tls: bad certificate, by listener and direction', () => {
  it("the supervisor line of every join (k3s#4126) and etcd's rejected connection (k3s#4027) are incoming; no stop-everything recipe", () => {
    const lines = parseJournal(fixture('k3s-rke2-journal-tls-bad-certificate.txt'));
    expect(tlsFailureSite(lines[0])).toEqual({
      direction: 'incoming',
      listener: 'supervisor',
      peer: '127.0.0.1:44528',
    });
    expect(tlsFailureSite(lines[1])).toEqual({ direction: 'incoming', listener: 'etcd', peer: '10.233.97.102:32882' });
    const [supervisor] = diagnose(lines.slice(0, 1), { roles: ['etcd', 'control-plane'], unit: null });
    expect(supervisor).toMatchObject({ code: 'tls-bad-certificate', recipe: null });
    expect(supervisor.message).toMatch(/^incoming, on the supervisor \(rke2 :9345, k3s :6443\)/);
    expect(supervisor.message).toContain('k3s#4126');
    const all = diagnose(lines, { roles: ['etcd', 'control-plane'], unit: null });
    expect(all.map((d) => d.recipe)).not.toContain('recover-restart-loop');
  });

  it('an outgoing join to the supervisor names the server and never prescribes stopping servers', () => {
    const join =
      'Jan 1 00:00:00 agent-1 k3s[4]: time="x" level=error msg="failed to get CA certs: Get \\"https://10.0.0.1:6443/cacerts\\": remote error: tls: bad certificate"';
    const [d] = diagnose(parseJournal(join), { roles: ['worker'], unit: null });
    expect(d.code).toBe('tls-bad-certificate');
    expect(d.message).toMatch(/^outgoing, to the supervisor \(rke2 :9345, k3s :6443\) 10\.0\.0\.1:6443/);
    expect(d.recipe).toBeNull();
    const peer = parseJournalLine(
      'Jan 1 00:00:00 e1 rke2[4]: {"level":"warn","msg":"dial failed","error":"dial tcp 10.0.0.2:2380: remote error: tls: bad certificate"}',
    );
    expect(tlsFailureSite(peer)).toEqual({ direction: 'outgoing', listener: 'etcd-peer', peer: '10.0.0.2:2380' });
  });

  it("gRPC's handshake failure is etcd's only when the line says etcd", () => {
    const containerd =
      'Jan 1 00:00:00 n k3s[4]: time="x" level=error msg="rpc error: code = Unavailable desc = connection error: desc = \\"transport: authentication handshake failed: EOF\\" addr=/run/k3s/containerd/containerd.sock"';
    expect(diagnose(parseJournal(containerd), { roles: ['worker'], unit: null })).toEqual([]);
  });
});

describe('other upstream signatures', () => {
  it('a key missing after an interrupted rotate (rke2#2683) is a diagnosis naming the key', () => {
    const found = diagnose(parseJournal(fixture('rke2-cli-missing-etcd-client-key.txt')), {
      roles: ['etcd', 'control-plane'],
      unit: null,
    });
    expect(found).toEqual([
      expect.objectContaining({
        code: 'key-missing',
        recipe: null,
        message: expect.stringMatching(/^\/var\/lib\/rancher\/rke2\/server\/tls\/etcd\/client\.key is missing/),
      }),
    ]);
  });

  it('an encryption annotation upstream cannot parse is a diagnosis (getEncryptionHashAnnotation, via SendErrorWithID)', () => {
    // logrus.Errorf("%s error ID %05d: %v", "secret-encrypt", id, fmt.Errorf("invalid annotation %s found on node %s", "", "cp-1"))
    const line =
      'Jan 1 00:00:00 cp-1 k3s[4]: time="2025-01-01T00:00:00Z" level=error msg="secret-encrypt error ID 04242: invalid annotation  found on node cp-1"';
    const found = diagnose(parseJournal(line), { roles: ['control-plane'], unit: null });
    expect(found.map((d) => d.code).sort()).toEqual(['encryption-annotation-invalid', 'secrets-encrypt-error']);
    expect(found.find((d) => d.code === 'encryption-annotation-invalid')?.message).toMatch(
      /^cp-1 has an encryption-config-hash annotation that is not <stage>-<hash> \(""\)/,
    );
  });
});

describe('restart loops are what systemd shows, not a start in progress', () => {
  const lines = parseJournal(fixture('rke2-journal-restart-loop-etcd-handshake-after-cert-rotate.txt'));
  const unit = (activeState: string, subState: string, restarts: number) => ({
    activeState,
    subState,
    restarts,
    activeEnterTimestamp: null,
    loadState: 'loaded',
  });

  it('activating/start with no restarts is a Type=notify server starting: no restart-loop diagnosis', () => {
    expect(
      diagnose(lines, { roles: ['control-plane'], unit: unit('activating', 'start', 0) }).map((d) => d.code),
    ).not.toContain('restart-loop');
  });

  it('auto-restart, or activating with NRestarts > 0, is the loop', () => {
    expect(
      diagnose(lines, { roles: ['control-plane'], unit: unit('activating', 'auto-restart', 0) }).map((d) => d.code),
    ).toContain('restart-loop');
    expect(
      diagnose(lines, { roles: ['control-plane'], unit: unit('activating', 'start', 3) }).map((d) => d.code),
    ).toContain('restart-loop');
    expect(
      diagnose(lines, { roles: ['control-plane'], unit: unit('inactive', 'dead', 3) }).map((d) => d.code),
    ).not.toContain('restart-loop');
  });
});

describe('a restart loop from a failed join is fixed on that node', () => {
  const looping = {
    activeState: 'activating',
    subState: 'auto-restart',
    restarts: 9,
    activeEnterTimestamp: null,
    loadState: 'loaded',
  };

  it('a token CA hash mismatch or a TLS failure to the supervisor: no recover-restart-loop (stop every server)', () => {
    // The core is upstream clientaccess's error for a token whose CA hash does not match (field-notes); the wrapping is made up.
    const token =
      'Jan 1 00:00:00 cp-3 k3s[4]: time="x" level=fatal msg="starting kubernetes: preparing server: failed to validate token: token CA hash does not match the Cluster CA certificate hash: 1a2b != 3c4d"';
    const tls =
      'Jan 1 00:00:00 cp-3 rke2[4]: time="x" level=fatal msg="Get \\"https://10.0.0.1:9345/v1-rke2/server-bootstrap\\": remote error: tls: bad certificate"';
    for (const line of [token, tls]) {
      const loop = diagnose(parseJournal(line), { roles: ['control-plane'], unit: looping }).find(
        (d) => d.code === 'restart-loop',
      );
      expect(loop, line).toMatchObject({
        recipe: null,
        message: expect.stringContaining('cannot join the supervisor'),
      });
    }
  });

  it('an expired certificate on the CA fetch stays the expired-certificates case', () => {
    const lines = parseJournal(fixture('k3s-journal-x509-expired.txt'));
    const found = diagnose(lines, { roles: ['control-plane', 'etcd'], unit: looping });
    expect(found.find((d) => d.code === 'restart-loop')?.recipe).toBe('recover-restart-loop');
    expect(found.find((d) => d.code === 'cert-expired')?.recipe).toBe('renew-expired-certs');
  });
});
