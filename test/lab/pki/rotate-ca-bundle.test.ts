// The cross-signed rotate-ca bundle helper and upstream's validation of an upload: a good bundle passes and
// re-issues leaves that still verify against an old-root-only trust store; each refusal has upstream's text.
import { X509Certificate } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chainsToRoot,
  checkRotateCaBundle,
  generateCa,
  generateClusterCAs,
  renewLeaves,
  writeNodeCertificates,
  writeRotateCaBundle,
  type ClusterCAs,
  type NodeCertContext,
} from '../../../lab/pki/index.js';
import { generateServiceKey } from '../../../lab/pki/cluster-cas.js';
import { haveBinaries } from '../../support/binaries.js';
import { SERVER_ROLES, T0, makeTempDir, nodeContext, openssl, opensslVerify } from './support.js';

const hasOpenssl = haveBinaries('openssl');
const parse = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));

let cas: ClusterCAs;
beforeAll(async () => {
  cas = await generateClusterCAs('k3s', T0);
});

describe('rotate-ca bundle', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let ctx: NodeCertContext;
  let bundle: string;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await makeTempDir('rotate-ca'));
    ctx = nodeContext(root, 'server-1', 'k3s', SERVER_ROLES, cas);
    await writeNodeCertificates(ctx, new Date());
    bundle = await writeRotateCaBundle(ctx.dataDir, 'k3s', new Date());
  });
  afterEach(async () => cleanup());

  it('writes upstream file names and a bundle that chains to the old root', async () => {
    expect(bundle).toBe(path.join(ctx.dataDir, 'server', 'rotate-ca'));
    const crt = await readFile(path.join(bundle, 'tls/server-ca.crt'), 'utf8');
    const [intermediate, selfSigned, crossSigned, oldRoot] = parse(crt);
    expect(intermediate.subject).toMatch(/^CN=k3s-server-ca@\d+$/);
    expect(selfSigned.subject).toMatch(/^CN=k3s-server-root@\d+$/);
    expect(crossSigned.issuer).toBe(new X509Certificate(cas.serverCa.certPem).subject);
    expect(oldRoot.fingerprint256).toBe(new X509Certificate(cas.serverCa.certPem).fingerprint256);
    expect(chainsToRoot(intermediate, [selfSigned, crossSigned], [new X509Certificate(cas.serverCa.certPem)])).toBe(
      true,
    );
    for (const file of [
      'tls/etcd/peer-ca.key',
      'tls/etcd/server-root-xsigned.pem',
      'tls/request-header-root.key',
      'tls/service.key',
    ]) {
      await expect(readFile(path.join(bundle, file), 'utf8')).resolves.toMatch(/-----BEGIN/);
    }
    expect(await checkRotateCaBundle(bundle, cas)).toMatchObject({ errors: [] });
  });

  it.skipIf(!hasOpenssl)(
    're-issues leaves under the new intermediate that an old-root trust store still accepts',
    async () => {
      const { cas: rotated } = await checkRotateCaBundle(bundle, cas);
      const next = { ...ctx, cas: rotated };
      const renewed = await renewLeaves(next, new Date(), 120);
      expect(renewed).toContain('server/tls/serving-kube-apiserver.crt');
      const leafFile = path.join(ctx.dataDir, 'server/tls/serving-kube-apiserver.crt');
      const oldRootFile = path.join(root, 'old-server-ca.crt');
      await writeFile(oldRootFile, cas.serverCa.certPem);
      // A client that trusts only the old root follows intermediate -> cross-signed root -> old root. (openssl stops
      // at a self-signed certificate among the untrusted ones, so the new self-signed root is left out here.)
      const untrusted = path.join(root, 'chain.pem');
      await writeFile(
        untrusted,
        (await readFile(path.join(bundle, 'tls/server-ca.pem'), 'utf8')) +
          (await readFile(path.join(bundle, 'tls/server-root-xsigned.pem'), 'utf8')),
      );
      const result = openssl(['verify', '-CAfile', oldRootFile, '-untrusted', untrusted, leafFile]);
      expect(result.output).toContain(': OK');
      expect(opensslVerify(path.join(bundle, 'tls/server-ca.crt'), leafFile).ok).toBe(true);
    },
  );

  it('refuses an unrelated CA, a single certificate, a mismatched key and a service.key without the old key', async () => {
    const stranger = await generateCa('k3s-server-ca@1', new Date());
    const other = await generateCa('k3s-client-ca@1', new Date());
    await writeFile(path.join(bundle, 'tls/server-ca.crt'), stranger.certPem + other.certPem);
    await writeFile(path.join(bundle, 'tls/server-ca.key'), stranger.keyPem);
    await writeFile(path.join(bundle, 'tls/client-ca.crt'), other.certPem);
    await writeFile(path.join(bundle, 'tls/client-ca.key'), other.keyPem);
    await writeFile(path.join(bundle, 'tls/request-header-ca.key'), stranger.keyPem);
    await writeFile(path.join(bundle, 'tls/service.key'), await generateServiceKey());
    const { errors } = await checkRotateCaBundle(bundle, cas);
    expect(errors).toEqual([
      'ServerCA: new CA cert cannot be verified using old CA chain: x509: certificate signed by unknown authority',
      'ClientCA: new CA bundle contains only a single certificate but should include root or intermediate CA certificates',
      'RequestHeaderCAKey: new CA cert and key cannot be loaded as X590KeyPair: tls: private key does not match public key',
      'ServiceKey: old ServiceAccount signing key not in new ServiceAccount key list',
    ]);
  });

  it('keeps the current data for CA files the bundle leaves out', async () => {
    await rm(path.join(bundle, 'tls/client-ca.crt'));
    await rm(path.join(bundle, 'tls/client-ca.key'));
    const check = await checkRotateCaBundle(bundle, cas);
    expect(check.errors).toEqual([]);
    expect(check.cas.clientCa).toEqual(cas.clientCa);
    expect(check.cas.serverCa.certPem).not.toBe(cas.serverCa.certPem);
  });
});
