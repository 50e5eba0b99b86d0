import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certStatus, parsePemCertificate } from '../../src/discovery/pem.js';
import { days, makeCa, makeLeafBundle } from './support/certs.js';

describe('PEM certificates', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it('reads the first certificate of an upstream bundle (leaf, then CA)', async () => {
    const ca = await makeCa('rke2-client-ca@1700000000', now);
    const bundle = await makeLeafBundle(ca, 'system:admin', days(-10, now), days(300, now));
    const r = parsePemCertificate('server/tls/client-admin.crt', bundle, now, 120);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.chainLength).toBe(2);
    expect(r.cert).toMatchObject({
      path: 'server/tls/client-admin.crt',
      subject: 'CN=system:admin, O=system:masters',
      issuer: 'CN=rke2-client-ca@1700000000',
      isCA: false,
      status: 'ok',
      daysLeft: 300,
    });
    expect(r.cert.notAfter).toBe(
      days(300, now)
        .toISOString()
        .replace(/\.\d+Z$/, '.000Z'),
    );
    const first = new X509Certificate(bundle.slice(0, bundle.indexOf('-----END CERTIFICATE-----') + 25));
    expect(r.cert.sha256).toBe(first.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(r.cert.sha256).toMatch(/^[0-9a-f]{64}$/);
    const caOnly = parsePemCertificate('server/tls/client-ca.crt', ca.pem, now, 120);
    expect(caOnly.ok && caOnly.cert.isCA).toBe(true);
    expect(caOnly.ok && caOnly.cert.sha256).not.toBe(r.cert.sha256);
  });

  it('classifies expired, renew-window and not-yet-valid certificates', async () => {
    const ca = await makeCa('ca', now);
    const status = async (from: number, to: number, window = 120) => {
      const r = parsePemCertificate(
        'x.crt',
        await makeLeafBundle(ca, 'x', days(from, now), days(to, now)),
        now,
        window,
      );
      return r.ok ? [r.cert.status, r.cert.daysLeft] : r.problem;
    };
    expect(await status(-400, -35)).toEqual(['expired', -35]);
    expect(await status(-200, 100)).toEqual(['warning', 100]);
    expect(await status(-200, 100, 90)).toEqual(['ok', 100]);
    expect(await status(2, 300)).toEqual(['not-yet-valid', 300]);
    expect(certStatus({ notBefore: days(-1, now), notAfter: now, now, renewWindowDays: 90 })).toBe('expired');
  });

  it('turns garbage, truncated and empty input into values', async () => {
    const ca = await makeCa('ca', now);
    expect(parsePemCertificate('a.crt', '', now, 90)).toMatchObject({ ok: false, problem: 'empty' });
    expect(parsePemCertificate('a.crt', 'hello\nworld', now, 90)).toMatchObject({
      ok: false,
      problem: 'no-certificate',
    });
    expect(parsePemCertificate('a.crt', ca.pem.slice(0, 200), now, 90)).toMatchObject({
      ok: false,
      problem: 'unparseable',
      detail: expect.stringContaining('truncated'),
    });
    const corrupt = ca.pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!notbase64!!!!!!');
    expect(parsePemCertificate('a.crt', corrupt, now, 90)).toMatchObject({ ok: false, problem: 'unparseable' });
  });
});
