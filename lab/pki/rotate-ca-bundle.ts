// A rotate-ca bundle made the way upstream's contrib/util/rotate-default-ca-certs.sh makes one, for tests and
// rehearsals: for each cluster CA a new self-signed root, the same root cross-signed by the current root, and a
// new intermediate CA signed by the new root. `<type>-ca.crt` is intermediate + new root + cross-signed root +
// old root, `<type>-ca.key` the intermediate key followed by the new root key; service.key is a new RSA key
// followed by the current one. Files land in `<data-dir>/server/rotate-ca/tls/`, where the script puts them.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Distro } from '../../src/model/cluster.js';
import { generateEcKeyPem, signCaCertificate } from './ca-signing.js';
import { generateServiceKey } from './cluster-cas.js';
import { normalizePem, splitPemBundle } from './pem-files.js';
import { DAY_MS, CLOCK_SLACK_MS } from './types.js';

/** The CA files of a bundle, named like upstream's (relative to the bundle's tls/ directory). */
export const ROTATE_CA_TYPES = ['client', 'server', 'request-header', 'etcd/peer', 'etcd/server'] as const;
export type RotateCaType = (typeof ROTATE_CA_TYPES)[number];
const BUNDLE_DAYS = 7300;
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g;

/**
 * Writes a cross-signed bundle from the CA files on a server's disk (`<dataDir>/server/tls`) and returns the
 * directory to hand to `<prog> certificate rotate-ca --path`.
 */
export async function writeRotateCaBundle(dataDir: string, distro: Distro, now: Date): Promise<string> {
  const target = path.join(dataDir, 'server', 'rotate-ca');
  const tls = path.join(target, 'tls');
  await mkdir(path.join(tls, 'etcd'), { recursive: true, mode: 0o750 });
  const stamp = Math.floor(now.getTime() / 1000);
  const validity = {
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + BUNDLE_DAYS * DAY_MS),
  };
  for (const type of ROTATE_CA_TYPES) {
    const currentCrt = await readFile(path.join(dataDir, 'server', 'tls', `${type}-ca.crt`), 'utf8');
    const currentKey = await readFile(path.join(dataDir, 'server', 'tls', `${type}-ca.key`), 'utf8');
    // After an earlier rotation the current root is the second certificate (and key) of the files.
    const certs = splitPemBundle(currentCrt);
    const keys = currentKey.match(PEM_KEY) ?? [];
    const oldCert = certs.length > 1 ? certs[1] : certs[0];
    const oldKey = keys.length > 1 ? keys[1] : keys[0];
    if (oldCert === undefined || oldKey === undefined)
      throw new Error(`current ${type} CA cert or key is missing; cannot continue`);
    const oldRoot = { certPem: oldCert, keyPem: oldKey };
    const flat = type.replace('/', '-');
    const rootName = `${distro}-${flat}-root@${stamp}`;
    const rootKey = generateEcKeyPem();
    const selfSigned = await signCaCertificate({
      commonName: rootName,
      subjectKeyPem: rootKey,
      issuer: 'self',
      ...validity,
    });
    const crossSigned = await signCaCertificate({
      commonName: rootName,
      subjectKeyPem: rootKey,
      issuer: oldRoot,
      ...validity,
    });
    const caKey = generateEcKeyPem();
    const intermediate = await signCaCertificate({
      commonName: `${distro}-${flat}-ca@${stamp}`,
      subjectKeyPem: caKey,
      issuer: { certPem: selfSigned, keyPem: rootKey },
      ...validity,
    });
    const files: Record<string, string> = {
      [`${type}-root-old.pem`]: oldRoot.certPem,
      [`${type}-root-old.key`]: oldRoot.keyPem,
      [`${type}-root.key`]: rootKey,
      [`${type}-root-ssigned.pem`]: selfSigned,
      [`${type}-root-xsigned.pem`]: crossSigned,
      [`${type}-ca.pem`]: intermediate,
      [`${type}-ca.crt`]: [intermediate, selfSigned, crossSigned, oldRoot.certPem].map(normalizePem).join(''),
      [`${type}-ca.key`]: [caKey, rootKey].map(normalizePem).join(''),
    };
    for (const [name, text] of Object.entries(files)) {
      await writeFile(path.join(tls, name), normalizePem(text), { mode: name.endsWith('.key') ? 0o600 : 0o640 });
    }
  }
  const currentServiceKey = await readFile(path.join(dataDir, 'server', 'tls', 'service.key'), 'utf8');
  await writeFile(
    path.join(tls, 'service.key'),
    normalizePem(await generateServiceKey()) + normalizePem(currentServiceKey),
    { mode: 0o600 },
  );
  return target;
}
