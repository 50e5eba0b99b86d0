// Renewal on start, `certificate rotate`, and the expire-certs / ca-drift faults.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { certFilesFor } from '../../../src/model/cert-files.js';
import {
  backdateLeaves,
  driftServerCa,
  generateClusterCAs,
  invalidServiceMessage,
  renewLeaves,
  rotateLeaves,
  sha256Hex,
  writeNodeCertificates,
  type ClusterCAs,
  type NodeCertContext,
} from '../../../lab/pki/index.js';
import { haveBinaries } from '../../support/binaries.js';
import { AGENT_ROLES, DAY_MS, SERVER_ROLES, T0, makeTempDir, nodeContext, openssl, opensslVerify } from './support.js';

const hasOpenssl = haveBinaries('openssl');
const after = (days: number) => new Date(T0.getTime() + days * DAY_MS);
const leafPaths = (ctx: NodeCertContext) =>
  certFilesFor(ctx.distro, ctx.roles)
    .filter((f) => f.kind === 'leaf')
    .map((f) => f.path);
const readCert = async (ctx: NodeCertContext, rel: string) =>
  new X509Certificate(await readFile(path.join(ctx.dataDir, rel)));
const fileHash = async (ctx: NodeCertContext, rel: string) => sha256Hex(await readFile(path.join(ctx.dataDir, rel)));
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

let cas: ClusterCAs;
beforeAll(async () => {
  cas = await generateClusterCAs('k3s', T0);
});

let server: NodeCertContext;
let agent: NodeCertContext;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const temp = await makeTempDir('lifecycle');
  cleanup = temp.cleanup;
  server = nodeContext(temp.dir, 'server-1', 'k3s', SERVER_ROLES, cas, 1);
  agent = nodeContext(temp.dir, 'agent-1', 'k3s', AGENT_ROLES, cas, 2);
  await Promise.all([writeNodeCertificates(server, T0), writeNodeCertificates(agent, T0)]);
});
afterEach(() => cleanup());

describe('renewLeaves', () => {
  it('renews nothing while every leaf is outside the window', async () => {
    // 365-day leaves, 260 days on: 105 days left — outside a 90-day window.
    expect(await renewLeaves(server, after(260), 90)).toEqual([]);
    expect(await renewLeaves(agent, after(260), 90)).toEqual([]);
  });

  it('renews every leaf inside the window, under the same CA, and never the CAs', async () => {
    const caBefore = await fileHash(server, 'server/tls/client-ca.crt');
    // Same 105 days left, but the 120-day window of newer releases covers them.
    expect(await renewLeaves(server, after(260), 120)).toEqual(leafPaths(server));
    const admin = await readCert(server, 'server/tls/client-admin.crt');
    expect(new Date(admin.validTo).getTime()).toBe(after(260 + 365).getTime());
    expect(admin.verify(new X509Certificate(cas.clientCa.certPem).publicKey)).toBe(true);
    expect(await fileHash(server, 'server/tls/client-ca.crt')).toBe(caBefore);
    // Renewed leaves are a year away from expiry again.
    expect(await renewLeaves(server, after(300), 90)).toEqual([]);
  });

  it('renews at 65 days left with a 90-day window', async () => {
    expect(await renewLeaves(agent, after(300), 90)).toEqual(leafPaths(agent));
  });

  it('renews only the missing leaf', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(path.join(agent.dataDir, 'agent/serving-kubelet.key'));
    expect(await renewLeaves(agent, after(1), 90)).toEqual(['agent/serving-kubelet.crt']);
    const serving = await readCert(agent, 'agent/serving-kubelet.crt');
    expect(
      serving.checkPrivateKey(createPrivateKey(await readFile(path.join(agent.dataDir, 'agent/serving-kubelet.key')))),
    ).toBe(true);
  });

  it('reissues leaves of a replaced CA under the new one (after rotate-ca)', async () => {
    const newCas = await generateClusterCAs('k3s', after(5));
    const rotated = { ...agent, cas: newCas };
    expect(await renewLeaves(rotated, after(5), 90)).toEqual(leafPaths(agent));
    const kubelet = await readCert(agent, 'agent/client-kubelet.crt');
    expect(kubelet.verify(new X509Certificate(newCas.clientCa.certPem).publicKey)).toBe(true);
    expect(await renewLeaves(rotated, after(5), 90)).toEqual([]);
  });

  it('leaves CAs alone even past their ten years', async () => {
    const before = await fileHash(server, 'server/tls/etcd/peer-ca.crt');
    expect(await renewLeaves(server, after(3700), 90)).toHaveLength(leafPaths(server).length);
    expect(await fileHash(server, 'server/tls/etcd/peer-ca.crt')).toBe(before);
  });
});

describe('rotateLeaves', () => {
  it('backs up server/tls and agent leaves, deletes leaves only, and the next start reissues under the same CA', async () => {
    const now = after(10);
    const caHash = await fileHash(server, 'server/tls/server-ca.crt');
    const { backupDir, removed } = await rotateLeaves(server, now);

    expect(backupDir).toBe(path.join(server.dataDir, 'server', `tls-${Math.floor(now.getTime() / 1000)}`));
    expect(path.isAbsolute(backupDir)).toBe(true);
    const backedUp = await readdir(backupDir);
    expect(backedUp).toEqual(
      expect.arrayContaining([
        'client-admin.crt',
        'server-ca.key',
        'service.key',
        'etcd',
        'client-kubelet.crt',
        'serving-kubelet.key',
      ]),
    );
    expect((await stat(path.join(backupDir, 'serving-kubelet.key'))).mode & 0o777).toBe(0o600);

    // Upstream's FilesForServices: every leaf and its key, plus the kubelet keys a server keeps in server/tls.
    const expectedRemoved = [
      ...leafPaths(server).flatMap((p) => [p, p.replace(/\.crt$/, '.key')]),
      'server/tls/client-kubelet.key',
      'server/tls/serving-kubelet.key',
    ];
    expect([...removed].sort()).toEqual([...expectedRemoved].sort());
    for (const rel of expectedRemoved) expect(await exists(path.join(server.dataDir, rel)), rel).toBe(false);
    for (const rel of [
      'server/tls/server-ca.crt',
      'server/tls/server-ca.key',
      'server/tls/service.key',
      'agent/client-ca.crt',
    ]) {
      expect(await exists(path.join(server.dataDir, rel)), rel).toBe(true);
    }

    // Upstream's start-up markers: regenerate the listener cert; force-restart is RKE2's alone.
    expect(await exists(path.join(server.dataDir, 'server/tls/dynamic-cert-regenerate'))).toBe(true);
    expect(await exists(path.join(server.dataDir, 'force-restart'))).toBe(false);

    expect(await renewLeaves(server, now, 90)).toEqual(leafPaths(server));
    expect(await fileHash(server, 'server/tls/server-ca.crt')).toBe(caHash);
    if (hasOpenssl) {
      const result = opensslVerify(
        path.join(server.dataDir, 'server/tls/server-ca.crt'),
        path.join(server.dataDir, 'server/tls/serving-kube-apiserver.crt'),
        now,
      );
      expect(result).toMatchObject({ ok: true });
    }
  });

  it('backs agents up to agent/tls-<ts>', async () => {
    const now = after(10);
    const { backupDir, removed } = await rotateLeaves(agent, now);
    expect(backupDir).toBe(path.join(agent.dataDir, 'agent', `tls-${Math.floor(now.getTime() / 1000)}`));
    expect((await readdir(backupDir)).sort()).toEqual(
      ['client-k3s-controller', 'client-kube-proxy', 'client-kubelet', 'serving-kubelet']
        .flatMap((n) => [`${n}.crt`, `${n}.key`])
        .sort(),
    );
    expect(removed).toHaveLength(8);
    expect(await exists(path.join(agent.dataDir, 'server'))).toBe(false);
  });

  it('writes force-restart on RKE2', async () => {
    const rke2 = {
      ...agent,
      distro: 'rke2' as const,
      dataDir: agent.dataDir + '-rke2',
      cas: await generateClusterCAs('rke2', T0),
    };
    await writeNodeCertificates(rke2, T0);
    const { removed } = await rotateLeaves(rke2, after(1));
    expect(removed).toContain('agent/client-rke2-controller.crt');
    expect(await exists(path.join(rke2.dataDir, 'force-restart'))).toBe(true);
  });

  it('limits rotation to the named services', async () => {
    const { removed } = await rotateLeaves(server, after(10), ['kubelet', 'etcd']);
    expect([...removed].sort()).toEqual(
      [
        'agent/client-kubelet',
        'agent/serving-kubelet',
        'server/tls/etcd/client',
        'server/tls/etcd/peer-server-client',
        'server/tls/etcd/server-client',
      ]
        .flatMap((n) => [`${n}.crt`, `${n}.key`])
        .concat(['server/tls/client-kubelet.key', 'server/tls/serving-kubelet.key'])
        .sort(),
    );
    expect(await exists(path.join(server.dataDir, 'server/tls/client-admin.crt'))).toBe(true);
  });

  it('refuses unknown services with upstream wording', async () => {
    expect(invalidServiceMessage('k3s', ['kubelet', 'bogus'])).toBe('service bogus is not recognized');
    expect(invalidServiceMessage('k3s', ['k3s-controller', 'cloud-controller'])).toBeNull();
    expect(invalidServiceMessage('k3s', ['rke2-controller'])).toBe('service rke2-controller is not recognized');
    await expect(rotateLeaves(server, after(1), ['bogus'])).rejects.toThrow(/not recognized/);
    expect(await exists(path.join(server.dataDir, 'server/tls/client-admin.crt'))).toBe(true);
  });
});

describe('backdateLeaves (expire-certs fault)', () => {
  it('moves every leaf 400 days back with the same key, subject and SANs', async () => {
    const before = await readCert(server, 'server/tls/serving-kube-apiserver.crt');
    const keyBefore = await fileHash(server, 'server/tls/serving-kube-apiserver.key');
    expect(await backdateLeaves(server, 400)).toEqual(leafPaths(server));

    const after400 = await readCert(server, 'server/tls/serving-kube-apiserver.crt');
    expect(new Date(after400.validTo).getTime()).toBe(new Date(before.validTo).getTime() - 400 * DAY_MS);
    expect(new Date(after400.validTo).getTime()).toBeLessThan(T0.getTime());
    expect(after400.subject).toBe(before.subject);
    expect(after400.subjectAltName).toBe(before.subjectAltName);
    expect(after400.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      before.publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(await fileHash(server, 'server/tls/serving-kube-apiserver.key')).toBe(keyBefore);

    for (const rel of leafPaths(server))
      expect(new Date((await readCert(server, rel)).validTo).getTime(), rel).toBeLessThan(T0.getTime());
    // The next start renews them all.
    expect(await renewLeaves(server, T0, 90)).toEqual(leafPaths(server));
  });

  it.skipIf(!hasOpenssl)('still chains to the CA, and openssl calls it expired now', async () => {
    await backdateLeaves(agent, 400);
    const ca = path.join(agent.dataDir, 'agent/client-ca.crt');
    const leaf = path.join(agent.dataDir, 'agent/client-kubelet.crt');
    // The lab's CA was made at T0, after the backdated leaf's validity: no instant has both valid, so check the
    // chain (signature, names, usages) apart from time.
    expect(openssl(['verify', '-no_check_time', '-CAfile', ca, leaf])).toMatchObject({ ok: true });
    expect(
      openssl(['verify', '-no_check_time', '-CAfile', path.join(agent.dataDir, 'agent/server-ca.crt'), leaf]).ok,
    ).toBe(false);
    const now = opensslVerify(ca, leaf, T0);
    expect(now.ok).toBe(false);
    expect(now.output).toContain('certificate has expired');
  });
});

describe('driftServerCa (ca-drift fault)', () => {
  it('gives this node a different server CA with the same CN', async () => {
    const clusterFingerprint = sha256Hex(await readFile(path.join(agent.dataDir, 'agent/server-ca.crt')));
    await driftServerCa(server, after(1));
    for (const rel of ['server/tls/server-ca.crt', 'agent/server-ca.crt']) {
      const cert = await readCert(server, rel);
      expect(cert.subject, rel).toBe(`CN=${cas.serverCa.commonName}`);
      expect(cert.fingerprint256, rel).not.toBe(new X509Certificate(cas.serverCa.certPem).fingerprint256);
      expect(await fileHash(server, rel), rel).not.toBe(clusterFingerprint);
    }
    const drifted = await readCert(server, 'server/tls/server-ca.crt');
    expect(
      drifted.checkPrivateKey(createPrivateKey(await readFile(path.join(server.dataDir, 'server/tls/server-ca.key')))),
    ).toBe(true);
    // Other nodes keep the cluster's CA; this node's leaves no longer chain to its own server CA file.
    expect(await fileHash(agent, 'agent/server-ca.crt')).toBe(clusterFingerprint);
    if (hasOpenssl) {
      const result = opensslVerify(
        path.join(server.dataDir, 'agent/server-ca.crt'),
        path.join(server.dataDir, 'agent/serving-kubelet.crt'),
        after(1),
      );
      expect(result.ok).toBe(false);
    }
  });

  it('touches only agent/server-ca.crt on an agent', async () => {
    const before = await fileHash(agent, 'agent/client-ca.crt');
    await driftServerCa(agent, after(1));
    expect(await exists(path.join(agent.dataDir, 'server'))).toBe(false);
    expect(await fileHash(agent, 'agent/client-ca.crt')).toBe(before);
    expect((await readCert(agent, 'agent/server-ca.crt')).fingerprint256).not.toBe(
      new X509Certificate(cas.serverCa.certPem).fingerprint256,
    );
  });
});
