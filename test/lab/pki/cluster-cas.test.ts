// The cluster CAs: upstream names, ten-year self-signed CAs, and the JSON file that plays the datastore.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClusterCAs, loadClusterCAs, saveClusterCAs, type ClusterCAs } from '../../../lab/pki/index.js';
import { haveBinaries } from '../../support/binaries.js';
import { DAY_MS, T0, makeTempDir, openssl } from './support.js';

const hasOpenssl = haveBinaries('openssl');
const STAMP = Math.floor(T0.getTime() / 1000);

describe('generateClusterCAs', () => {
  let cas: ClusterCAs;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cas = await generateClusterCAs('rke2', T0);
    ({ dir, cleanup } = await makeTempDir('cas'));
  });
  afterAll(() => cleanup());

  it('names the CAs like upstream', () => {
    expect(
      [cas.serverCa, cas.clientCa, cas.requestHeaderCa, cas.etcdServerCa, cas.etcdPeerCa].map((ca) => ca.commonName),
    ).toEqual([
      `rke2-server-ca@${STAMP}`,
      `rke2-client-ca@${STAMP}`,
      `rke2-request-header-ca@${STAMP}`,
      `etcd-server-ca@${STAMP}`,
      `etcd-peer-ca@${STAMP}`,
    ]);
  });

  it('makes self-signed ten-year CAs whose keys match', () => {
    for (const ca of [cas.serverCa, cas.clientCa, cas.requestHeaderCa, cas.etcdServerCa, cas.etcdPeerCa]) {
      const cert = new X509Certificate(ca.certPem);
      expect(cert.subject).toBe(`CN=${ca.commonName}`);
      expect(cert.issuer).toBe(cert.subject);
      expect(cert.ca).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
      expect(new Date(cert.validTo).getTime() - T0.getTime()).toBe(3650 * DAY_MS);
    }
    // Five different keys.
    expect(new Set([cas.serverCa, cas.clientCa, cas.etcdPeerCa].map((ca) => ca.keyPem)).size).toBe(3);
  });

  it.skipIf(!hasOpenssl)('sets CA:TRUE critical and keyCertSign, cRLSign, digitalSignature', async () => {
    const file = path.join(dir, 'server-ca.crt');
    await writeFile(file, cas.serverCa.certPem);
    const text = openssl(['x509', '-in', file, '-noout', '-text']).output;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(text).toContain('ecdsa-with-SHA256');
    expect(text).toContain('prime256v1');
  });

  it('writes SEC1 EC keys that openssl reads', async () => {
    expect(cas.clientCa.keyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    if (!hasOpenssl) return;
    const file = path.join(dir, 'client-ca.key');
    await writeFile(file, cas.clientCa.keyPem);
    expect(openssl(['ec', '-in', file, '-noout', '-check'])).toMatchObject({ ok: true });
  });

  it('round-trips through a 0600 JSON file', async () => {
    const file = path.join(dir, 'cas.json');
    await saveClusterCAs(file, cas);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadClusterCAs(file)).toEqual(cas);
  });

  it('rejects a file with a CA missing', async () => {
    const file = path.join(dir, 'broken.json');
    const { etcdPeerCa: _dropped, ...rest } = cas;
    await writeFile(file, JSON.stringify(rest));
    await expect(loadClusterCAs(file)).rejects.toThrow(/etcdPeerCa is missing/);
  });
});
