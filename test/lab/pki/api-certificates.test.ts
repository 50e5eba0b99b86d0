// The lab apiserver's serving certificate and the admin client certificate of DIR/kubeconfig.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClusterCAs, issueAdminClient, issueApiServing, type ClusterCAs } from '../../../lab/pki/index.js';
import { haveBinaries } from '../../support/binaries.js';
import { DAY_MS, T0, makeTempDir, openssl } from './support.js';

const hasOpenssl = haveBinaries('openssl');

describe('API certificates', () => {
  let cas: ClusterCAs;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    cas = await generateClusterCAs('k3s', T0);
    ({ dir, cleanup } = await makeTempDir('api'));
  });
  afterAll(() => cleanup());

  it('serves kube-apiserver under the server CA with the listener addresses', async () => {
    const pair = await issueApiServing(cas, T0, ['127.0.10.1', '127.0.10.2']);
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subject).toBe('CN=kube-apiserver');
    expect(cert.verify(new X509Certificate(cas.serverCa.certPem).publicKey)).toBe(true);
    expect(cert.verify(new X509Certificate(cas.clientCa.certPem).publicKey)).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('kubernetes')).toBe('kubernetes');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('127.0.10.2')).toBe('127.0.10.2');
    expect(cert.checkIP('127.0.10.3')).toBeUndefined();
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('makes a system:masters admin client under the client CA, 365 days unless told', async () => {
    const pair = await issueAdminClient(cas, T0);
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=system:admin', 'O=system:masters']);
    expect(cert.verify(new X509Certificate(cas.clientCa.certPem).publicKey)).toBe(true);
    expect(new Date(cert.validTo).getTime() - T0.getTime()).toBe(365 * DAY_MS);
    const short = new X509Certificate((await issueAdminClient(cas, T0, 2)).certPem);
    expect(new Date(short.validTo).getTime() - T0.getTime()).toBe(2 * DAY_MS);
  });

  it.skipIf(!hasOpenssl)('passes openssl purpose checks', async () => {
    const files = {
      serverCa: path.join(dir, 'server-ca.crt'),
      clientCa: path.join(dir, 'client-ca.crt'),
      serving: path.join(dir, 'serving.crt'),
      admin: path.join(dir, 'admin.crt'),
    };
    await writeFile(files.serverCa, cas.serverCa.certPem);
    await writeFile(files.clientCa, cas.clientCa.certPem);
    await writeFile(files.serving, (await issueApiServing(cas, T0, [])).certPem);
    await writeFile(files.admin, (await issueAdminClient(cas, T0)).certPem);
    const at = ['-attime', String(Math.floor(T0.getTime() / 1000) + 3600)];
    expect(openssl(['verify', ...at, '-purpose', 'sslserver', '-CAfile', files.serverCa, files.serving])).toMatchObject(
      { ok: true },
    );
    expect(openssl(['verify', ...at, '-purpose', 'sslclient', '-CAfile', files.clientCa, files.admin])).toMatchObject({
      ok: true,
    });
    expect(openssl(['verify', ...at, '-purpose', 'sslserver', '-CAfile', files.clientCa, files.admin]).ok).toBe(false);
  });
});
