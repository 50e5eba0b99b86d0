import { describe, expect, it } from 'vitest';
import { diagnose, explainErrorId } from '../../src/discovery/diagnose.js';
import { MAX_LINE_CHARS, logMessage, parseJournal, parseJournalLine } from '../../src/discovery/parse-journal.js';
import { fixture, fixtureBytes } from './support/fixtures.js';

const codes = (d: { code: string }[]) => d.map((x) => x.code).sort();

describe('journal lines', () => {
  it('reads journald short format and logrus fields', () => {
    const line = parseJournalLine(
      'Jan 23 12:12:39 ip-172-31-17-225.us-east-2.compute.internal rke2[23930]: time="2025-01-23T12:12:39Z" level=fatal msg="starting kubernetes: x \\"y\\""',
    );
    expect(line).toMatchObject({
      stamp: 'Jan 23 12:12:39',
      host: 'ip-172-31-17-225.us-east-2.compute.internal',
      ident: 'rke2',
      level: 'fatal',
    });
    expect(logMessage(line)).toBe('starting kubernetes: x "y"');
  });

  it('reads pasted prefixes, a non-UTF-8 locale month, and klog levels', () => {
    const lines = parseJournal(fixtureBytes('k3s-journal-x509-expired.txt'));
    expect(lines).toHaveLength(5);
    expect(lines[3].stamp).toBe('11月 10 11:13:26'); // a Chinese-locale month
    const bytes = Buffer.concat([
      Buffer.from('Jan 1 00:00:00 h k3s[1]: bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(' bytes\n'),
    ]);
    expect(parseJournal(bytes)[0].message).toBe('bad \uFFFD\uFFFD\uFFFD bytes');
    expect(lines[3]).toMatchObject({ host: 'master3', ident: 'k3s', level: 'error' });
    const pasted = parseJournal(fixture('rke2-journal-restart-loop-etcd-handshake-after-cert-rotate.txt'));
    expect(pasted[0]).toMatchObject({ stamp: 'an 23 12:12:38', ident: 'rke2', level: 'info' });
    expect(pasted[2]).toMatchObject({ stamp: null, level: 'unknown' }); // the "vailable desc" fragment
  });

  it('truncates megabyte-long lines', () => {
    const huge = `Jan 1 00:00:00 h k3s[1]: ${'x'.repeat(1_000_000)}`;
    const [line] = parseJournal(`${huge}\nJan 1 00:00:01 h k3s[1]: next\n`).slice(0, 1);
    expect(line.raw.length).toBeLessThan(MAX_LINE_CHARS + 50);
    expect(line.raw).toMatch(/more characters\]$/);
  });
});

describe('diagnoses by signature', () => {
  it('finds the split-role etcd handshake loop with its fatal line and recipe', () => {
    const lines = parseJournal(fixture('rke2-journal-restart-loop-etcd-handshake-after-cert-rotate.txt'));
    const found = diagnose(lines, { roles: ['control-plane'], unit: null });
    expect(codes(found)).toEqual(['etcd-handshake']);
    expect(found[0].recipe).toBe('recover-restart-loop');
    expect(found[0].evidence).toContain('level=fatal');
    expect(found[0].message).toMatch(/control-plane/);
  });

  it('adds a restart-loop diagnosis when systemd shows the unit looping', () => {
    const lines = parseJournal(fixture('rke2-journal-restart-loop-etcd-handshake-after-cert-rotate.txt'));
    const unit = {
      activeState: 'activating',
      subState: 'auto-restart',
      restarts: 12,
      activeEnterTimestamp: null,
      loadState: 'loaded',
    };
    const loop = diagnose(lines, { roles: ['control-plane'], unit }).find((d) => d.code === 'restart-loop');
    expect(loop).toMatchObject({ recipe: 'recover-restart-loop' });
    expect(loop?.evidence).toContain('failed to get etcd MemberList');
    expect(
      diagnose(lines, { roles: ['control-plane'], unit: { ...unit, activeState: 'active', restarts: 1 } }).some(
        (d) => d.code === 'restart-loop',
      ),
    ).toBe(false);
  });

  it('tells expired certificates from clock skew ("is before")', () => {
    const lines = parseJournal(fixtureBytes('k3s-journal-x509-expired.txt'));
    const found = diagnose(lines, { roles: ['control-plane', 'etcd'], unit: null });
    expect(codes(found)).toEqual(['cert-expired', 'cert-not-yet-valid']);
    const expired = found.find((d) => d.code === 'cert-expired')!;
    expect(expired.recipe).toBe('renew-expired-certs');
    expect(expired.evidence).not.toContain(' is before ');
    const skew = found.find((d) => d.code === 'cert-not-yet-valid')!;
    expect(skew.evidence).toContain('is before 2022-10-31T22:37:33Z');
    expect(skew.message).toContain('clock');
  });

  it('finds the other signatures', () => {
    const lines = parseJournal(
      [
        'Jan 1 00:00:00 h k3s[1]: time="x" level=error msg="failed to join: etcdserver: unhealthy cluster"',
        'Jan 1 00:00:01 h k3s[1]: http: TLS handshake error from 10.0.0.2:5555: remote error: tls: bad certificate',
        'Jan 1 00:00:02 h k3s[1]: time="x" level=fatal msg="bootstrap data on disk is newer than datastore"',
      ].join('\n'),
    );
    expect(codes(diagnose(lines, { roles: ['etcd'], unit: null }))).toEqual([
      'etcd-unhealthy-join',
      'newer-than-datastore',
      'tls-bad-certificate',
    ]);
    expect(diagnose(parseJournal('Jan 1 00:00:00 h k3s[1]: all good'), { roles: ['worker'], unit: null })).toEqual([]);
  });

  it('shows the journal line that explains an error ID', () => {
    const lines = parseJournal(
      [
        'Jan 1 00:00:00 h k3s[1]: time="x" level=error msg="secret-encrypt error ID 64661: unable to rotate: hash mismatch between s1 and s2"',
        'Jan 1 00:00:05 h k3s[1]: time="x" level=info msg="see server log for details: secret-encrypt error ID 64661"',
      ].join('\n'),
    );
    const [d] = diagnose(lines, { roles: ['control-plane'], unit: null });
    expect(d.code).toBe('secrets-encrypt-error');
    expect(d.message).toBe('secrets-encrypt error ID 64661: unable to rotate: hash mismatch between s1 and s2');
    expect(d.evidence).toContain('error ID 64661: unable');
    const ca = parseJournal(fixture('k3s-certificate-rotate-ca-errors.txt'));
    expect(explainErrorId(ca, '18624')?.raw).toContain('failed to validate new CA certificates');
    expect(codes(diagnose(ca, { roles: ['control-plane'], unit: null }))).toEqual([
      'certificate-error',
      'certificate-error',
    ]);
  });
});
