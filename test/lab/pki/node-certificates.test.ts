// Writing a node's certificates: every file of certFilesFor, upstream modes, bundles, subjects and SANs, and
// every leaf verifying against its issuer with openssl.
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certFilesFor } from '../../../src/model/cert-files.js';
import { DISTROS, type Role } from '../../../src/model/cluster.js';
import {
  generateClusterCAs,
  writeNodeCertificates,
  type ClusterCAs,
  type NodeCertContext,
} from '../../../lab/pki/index.js';
import { haveBinaries } from '../../support/binaries.js';
import { AGENT_ROLES, DAY_MS, SERVER_ROLES, T0, makeTempDir, nodeContext, opensslVerify } from './support.js';

const hasOpenssl = haveBinaries('openssl');
const keyOf = (crt: string) => crt.replace(/\.crt$/, '.key');
const pemCount = (text: string) => (text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe.each(DISTROS)('writeNodeCertificates (%s)', (distro) => {
  let cleanup: () => Promise<void>;
  let cas: ClusterCAs;
  const nodes: Record<'server' | 'agent', NodeCertContext> = {} as never;

  beforeAll(async () => {
    const temp = await makeTempDir(distro);
    cleanup = temp.cleanup;
    cas = await generateClusterCAs(distro, T0);
    nodes.server = nodeContext(temp.dir, 'server-1', distro, SERVER_ROLES, cas, 1);
    nodes.agent = nodeContext(temp.dir, 'agent-1', distro, AGENT_ROLES, cas, 2);
    await Promise.all([writeNodeCertificates(nodes.server, T0), writeNodeCertificates(nodes.agent, T0)]);
  });
  afterAll(() => cleanup());

  describe.each(['server', 'agent'] as const)('%s node', (kind) => {
    const filesOf = (roles: Role[]) => certFilesFor(distro, roles);
    const roles = kind === 'server' ? SERVER_ROLES : AGENT_ROLES;

    it('writes every file of certFilesFor with upstream modes', async () => {
      const ctx = nodes[kind];
      for (const file of filesOf(roles)) {
        expect(await mode(path.join(ctx.dataDir, file.path)), file.path).toBe(0o644);
        if (file.hasKey) expect(await mode(path.join(ctx.dataDir, keyOf(file.path))), keyOf(file.path)).toBe(0o600);
        else await expect(stat(path.join(ctx.dataDir, keyOf(file.path)))).rejects.toThrow(/ENOENT/);
      }
    });

    it('bundles each leaf with its issuing CA and keeps CA files single', async () => {
      const ctx = nodes[kind];
      for (const file of filesOf(roles)) {
        const text = await readFile(path.join(ctx.dataDir, file.path), 'utf8');
        expect(pemCount(text), file.path).toBe(file.kind === 'leaf' ? 2 : 1);
        const caText = await readFile(path.join(ctx.dataDir, file.issuer), 'utf8');
        // The bundle's second certificate is the issuer's certificate, byte for byte.
        if (file.kind === 'leaf') expect(text.endsWith(caText), file.path).toBe(true);
      }
    });

    it('issues 365-day ECDSA P-256 leaves from now', async () => {
      const ctx = nodes[kind];
      for (const file of filesOf(roles).filter((f) => f.kind === 'leaf')) {
        const cert = new X509Certificate(await readFile(path.join(ctx.dataDir, file.path)));
        expect(cert.publicKey.asymmetricKeyDetails?.namedCurve, file.path).toBe('prime256v1');
        expect(new Date(cert.validTo).getTime() - T0.getTime(), file.path).toBe(365 * DAY_MS);
        expect(new Date(cert.validFrom).getTime(), file.path).toBeLessThanOrEqual(T0.getTime());
        expect(cert.ca, file.path).toBe(false);
      }
    });

    it.skipIf(!hasOpenssl)('every leaf verifies against its issuer with openssl', async () => {
      const ctx = nodes[kind];
      const at = new Date(T0.getTime() + DAY_MS);
      for (const file of filesOf(roles).filter((f) => f.kind === 'leaf')) {
        const result = opensslVerify(path.join(ctx.dataDir, file.issuer), path.join(ctx.dataDir, file.path), at);
        expect(result, file.path).toMatchObject({ ok: true });
        // And not against an unrelated CA: the check can fail.
        const wrongCa = file.issuer.includes('client-ca') ? 'agent/server-ca.crt' : 'agent/client-ca.crt';
        expect(
          opensslVerify(path.join(ctx.dataDir, wrongCa), path.join(ctx.dataDir, file.path), at).ok,
          file.path,
        ).toBe(false);
      }
    });
  });

  it('writes service.key only on servers', async () => {
    expect(await mode(path.join(nodes.server.dataDir, 'server/tls/service.key'))).toBe(0o600);
    await expect(stat(path.join(nodes.agent.dataDir, 'server'))).rejects.toThrow(/ENOENT/);
  });

  it('gives leaves upstream subjects and SANs', async () => {
    const read = async (ctx: NodeCertContext, rel: string) =>
      new X509Certificate(await readFile(path.join(ctx.dataDir, rel)));
    const admin = await read(nodes.server, 'server/tls/client-admin.crt');
    expect(admin.subject.split('\n').sort()).toEqual(['CN=system:admin', 'O=system:masters']);
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    const supervisor = await read(nodes.server, 'server/tls/client-supervisor.crt');
    expect(supervisor.subject).toContain(`CN=system:${distro}-supervisor`);
    const apiserver = await read(nodes.server, 'server/tls/serving-kube-apiserver.crt');
    expect(apiserver.subjectAltName).toBe(
      'DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:localhost, IP Address:127.0.0.1, IP Address:127.0.10.1',
    );
    const etcdServer = await read(nodes.server, 'server/tls/etcd/server-client.crt');
    expect(etcdServer.keyUsage.sort()).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(etcdServer.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:127.0.10.1');
    const kubelet = await read(nodes.agent, 'agent/client-kubelet.crt');
    expect(kubelet.subject.split('\n').sort()).toEqual(['CN=system:node:agent-1', 'O=system:nodes']);
    const serving = await read(nodes.agent, 'agent/serving-kubelet.crt');
    expect(serving.subjectAltName).toBe('DNS:agent-1, DNS:localhost, IP Address:127.0.10.2');
    const controller = await read(nodes.agent, `agent/client-${distro}-controller.crt`);
    expect(controller.subject).toBe(`CN=system:${distro}-controller`);
  });

  it('copies the cluster CAs to every node', async () => {
    for (const ctx of [nodes.server, nodes.agent]) {
      expect(await readFile(path.join(ctx.dataDir, 'agent/server-ca.crt'), 'utf8')).toBe(
        cas.serverCa.certPem.trimEnd() + '\n',
      );
      expect(await readFile(path.join(ctx.dataDir, 'agent/client-ca.crt'), 'utf8')).toBe(
        cas.clientCa.certPem.trimEnd() + '\n',
      );
    }
    expect(await readFile(path.join(nodes.server.dataDir, 'server/tls/etcd/peer-ca.key'), 'utf8')).toBe(
      cas.etcdPeerCa.keyPem.trimEnd() + '\n',
    );
  });
});
