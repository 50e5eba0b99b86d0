// The files a real server keeps in server/tls beside the CAs and leaves, which keyturn must meet as they are
// (k3s pkg/daemons/control/deps/deps.go @09ac65a6 CreateRuntimeCertFiles/genClientCerts/genServiceAccount):
// - client-ca.nochain.crt and server-ca.nochain.crt: the first certificate of the CA file, rewritten on every start
//   (the controller-manager's signer wants one certificate, not a chain);
// - service.current.key: the first key of service.key, rewritten on every start;
// - client-kubelet.key and serving-kubelet.key: keys only, generated when missing (rotated with "kubelet");
// - dynamic-cert.json: the supervisor/apiserver listener's certificate cache (rancher/dynamiclistener file storage,
//   a JSON Secret), re-created on start when `certificate rotate` left tls/dynamic-cert-regenerate, which the start
//   then removes (k3s tests/e2e/validatecluster: "test ! -e .../dynamic-cert-regenerate");
// - temporary-certs/apiserver-loopback-client__.crt/.key (control-plane): kube-apiserver's self-signed loopback
//   pair, generated once and reused, so `certificate rotate` leaves it identical (upstream's expected list).
// None of them is a certificate upstream renews or `certificate check` lists.
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundlePem, readIfExists, splitPemBundle, writeCertificateFile, writeKeyFile } from './pem-files.js';
import { createSelfSignedCa, generateKeyPair, issueLeafCertificate } from './signing.js';
import { CLOCK_SLACK_MS, DAY_MS, LEAF_DAYS, type NodeCertContext } from './types.js';

const TLS = 'server/tls';
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/;
/** client-go's GenerateSelfSignedCertKeyWithFixtures: 100 years when a fixture directory is given. */
const LOOPBACK_DAYS = 36_500;

export async function writeServerDerivedFiles(ctx: NodeCertContext, now: Date): Promise<void> {
  const tls = (name: string) => path.join(ctx.dataDir, TLS, name);
  for (const ca of ['client-ca', 'server-ca']) {
    const [first] = splitPemBundle((await readIfExists(tls(`${ca}.crt`))) ?? '');
    if (first) await writeCertificateFile(tls(`${ca}.nochain.crt`), first);
  }
  const currentKey = PEM_KEY.exec((await readIfExists(tls('service.key'))) ?? '')?.[0];
  if (currentKey) await writeKeyFile(tls('service.current.key'), currentKey);
  for (const key of ['client-kubelet.key', 'serving-kubelet.key']) {
    if ((await readIfExists(tls(key))) === undefined) await writeKeyFile(tls(key), (await generateKeyPair()).keyPem);
  }
  const regenerate = (await readIfExists(tls('dynamic-cert-regenerate'))) !== undefined;
  if (regenerate || (await readIfExists(tls('dynamic-cert.json'))) === undefined) {
    await writeDynamicCert(ctx, now, tls('dynamic-cert.json'));
    await rm(tls('dynamic-cert-regenerate'), { force: true });
  }
  if (
    ctx.roles.includes('control-plane') &&
    (await readIfExists(tls('temporary-certs/apiserver-loopback-client__.crt'))) === undefined
  ) {
    await writeLoopbackPair(now, tls('temporary-certs'));
  }
}

async function writeDynamicCert(ctx: NodeCertContext, now: Date, file: string): Promise<void> {
  const leaf = await issueLeafCertificate(ctx.cas.serverCa, {
    commonName: ctx.distro,
    organization: ctx.distro,
    usages: ['serverAuth'],
    dnsNames: [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'localhost',
    ],
    ipAddresses: ['127.0.0.1', ctx.address],
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY_MS),
  });
  const secret = {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: `${ctx.distro}-serving`, namespace: 'kube-system', creationTimestamp: null },
    data: {
      'tls.crt': Buffer.from(bundlePem(leaf.certPem, ctx.cas.serverCa.certPem)).toString('base64'),
      'tls.key': Buffer.from(leaf.keyPem).toString('base64'),
    },
    type: 'kubernetes.io/tls',
  };
  await writeFile(file, JSON.stringify(secret), { mode: 0o600 });
  await chmod(file, 0o600);
}

async function writeLoopbackPair(now: Date, dir: string): Promise<void> {
  const notBefore = new Date(now.getTime() - CLOCK_SLACK_MS);
  const notAfter = new Date(now.getTime() + LOOPBACK_DAYS * DAY_MS);
  const stamp = Math.floor(now.getTime() / 1000);
  const ca = await createSelfSignedCa({
    commonName: `apiserver-loopback-client-ca@${stamp}`,
    notBefore,
    notAfter,
    usages: [],
    dnsNames: [],
    ipAddresses: [],
  });
  const leaf = await issueLeafCertificate(ca, {
    commonName: `apiserver-loopback-client@${stamp}`,
    usages: ['serverAuth'],
    dnsNames: ['apiserver-loopback-client'],
    ipAddresses: [],
    notBefore,
    notAfter,
  });
  await writeKeyFile(path.join(dir, 'apiserver-loopback-client__.key'), leaf.keyPem);
  await writeCertificateFile(path.join(dir, 'apiserver-loopback-client__.crt'), bundlePem(leaf.certPem, ca.certPem));
}
