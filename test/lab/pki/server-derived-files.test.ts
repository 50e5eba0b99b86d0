// The server/tls files beside the CAs and leaves that a real server has (k3s deps.go, dynamiclistener, the
// apiserver's loopback pair), and what `certificate rotate` + the next start leave identical: upstream's own list
// from k3s tests/e2e/validatecluster/validatecluster_test.go ("Validates certificates").
import { X509Certificate } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateClusterCAs,
  renewLeaves,
  rotateLeaves,
  writeNodeCertificates,
  type NodeCertContext,
} from '../../../lab/pki/index.js';
import { DAY_MS, SERVER_ROLES, T0, makeTempDir, nodeContext } from './support.js';

const after = (days: number) => new Date(T0.getTime() + days * DAY_MS);
const read = (ctx: NodeCertContext, rel: string) => readFile(path.join(ctx.dataDir, rel), 'utf8');
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** `diff -sr tls/ tls-<ts>/ | grep -i identical | cut -f4 -d ' ' | xargs basename -a`, in diff's (sorted) order. */
async function identicalBasenames(a: string, b: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (rel: string) => {
    const entries = (await readdir(path.join(a, rel), { withFileTypes: true })).sort((x, y) =>
      x.name < y.name ? -1 : 1,
    );
    for (const entry of entries) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (await exists(path.join(b, child))) await walk(child);
      } else if (await exists(path.join(b, child))) {
        const [x, y] = await Promise.all([readFile(path.join(a, child)), readFile(path.join(b, child))]);
        if (x.equals(y)) names.push(entry.name);
      }
    }
  };
  await walk('');
  return names;
}

describe('server/tls files a real server has besides certificates', () => {
  let cleanup: () => Promise<void>;
  let server: NodeCertContext;
  let etcdOnly: NodeCertContext;

  beforeAll(async () => {
    const temp = await makeTempDir('derived');
    cleanup = temp.cleanup;
    const cas = await generateClusterCAs('k3s', T0);
    server = nodeContext(temp.dir, 'server-1', 'k3s', SERVER_ROLES, cas, 1);
    etcdOnly = nodeContext(temp.dir, 'etcd-1', 'k3s', ['etcd'], cas, 2);
    await Promise.all([writeNodeCertificates(server, T0), writeNodeCertificates(etcdOnly, T0)]);
  });
  afterAll(() => cleanup());

  it('writes the nochain CA copies as the first certificate of the CA file', async () => {
    for (const ca of ['client-ca', 'server-ca']) {
      const nochain = await read(server, `server/tls/${ca}.nochain.crt`);
      expect(nochain.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
      expect(new X509Certificate(nochain).fingerprint256).toBe(
        new X509Certificate(await read(server, `server/tls/${ca}.crt`)).fingerprint256,
      );
    }
  });

  it('writes service.current.key (the first key of service.key) and the kubelet keys, owner-only', async () => {
    expect(
      (await read(server, 'server/tls/service.key')).startsWith(
        (await read(server, 'server/tls/service.current.key')).trimEnd(),
      ),
    ).toBe(true);
    for (const key of ['service.current.key', 'client-kubelet.key', 'serving-kubelet.key']) {
      expect((await stat(path.join(server.dataDir, 'server/tls', key))).mode & 0o777, key).toBe(0o600);
    }
  });

  it('writes dynamic-cert.json as a JSON Secret holding a certificate of the server CA', async () => {
    const secret = JSON.parse(await read(server, 'server/tls/dynamic-cert.json')) as {
      type: string;
      data: Record<string, string>;
    };
    expect(secret.type).toBe('kubernetes.io/tls');
    const cert = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64').toString());
    expect(cert.verify(new X509Certificate(server.cas.serverCa.certPem).publicKey)).toBe(true);
  });

  it('gives control-plane servers the apiserver loopback pair and etcd-only servers none', async () => {
    const crt = await read(server, 'server/tls/temporary-certs/apiserver-loopback-client__.crt');
    expect(new X509Certificate(crt).subject).toMatch(/CN=apiserver-loopback-client@\d+/);
    expect(await exists(path.join(server.dataDir, 'server/tls/temporary-certs/apiserver-loopback-client__.key'))).toBe(
      true,
    );
    expect(await exists(path.join(etcdOnly.dataDir, 'server/tls/temporary-certs'))).toBe(false);
    expect(await exists(path.join(etcdOnly.dataDir, 'server/tls/client-ca.nochain.crt'))).toBe(true);
  });

  it("after certificate rotate and a start, leaves exactly upstream's identical files (validatecluster list)", async () => {
    const now = after(10);
    const { backupDir } = await rotateLeaves(server, now);
    expect(await exists(path.join(server.dataDir, 'server/tls/dynamic-cert-regenerate'))).toBe(true);
    await renewLeaves(server, now, 120);
    // The start consumed the marker (upstream's "test ! -e .../dynamic-cert-regenerate").
    expect(await exists(path.join(server.dataDir, 'server/tls/dynamic-cert-regenerate'))).toBe(false);
    expect(await identicalBasenames(path.join(server.dataDir, 'server/tls'), backupDir)).toEqual([
      'client-ca.crt',
      'client-ca.key',
      'client-ca.nochain.crt',
      'peer-ca.crt',
      'peer-ca.key',
      'server-ca.crt',
      'server-ca.key',
      'request-header-ca.crt',
      'request-header-ca.key',
      'server-ca.crt',
      'server-ca.key',
      'server-ca.nochain.crt',
      'service.current.key',
      'service.key',
      'apiserver-loopback-client__.crt',
      'apiserver-loopback-client__.key',
    ]);
  });
});
