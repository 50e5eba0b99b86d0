// The one place that builds X.509 certificates: ECDSA P-256 keys and SHA-256 signatures through @peculiar/x509 on
// Node's WebCrypto, like upstream's certificates. Keys are written as SEC1 "EC PRIVATE KEY" PEM, as upstream does,
// which both openssl and node:crypto read.
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { normalizePem } from './pem-files.js';
import { x509 } from './x509.js';
import type { PemPair } from '../contract.js';

// lib has no DOM types here: name WebCrypto's types through node:crypto.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export type ExtendedUsage = 'serverAuth' | 'clientAuth';

/** What a certificate says about its subject; the same shape for CAs and leaves. */
export interface CertificateProfile {
  commonName: string;
  organization?: string;
  notBefore: Date;
  notAfter: Date;
  /** Leaves only; a CA has none. */
  usages: ExtendedUsage[];
  dnsNames: string[];
  ipAddresses: string[];
}

interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  keyPem: string;
}

export async function generateKeyPair(): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'sec1' });
  return { privateKey: keys.privateKey, publicKey: keys.publicKey, keyPem: keyPem.toString() };
}

// Signing keys and parsed CA certificates are reused across the hundreds of leaves a large lab issues. The caches
// are dropped whole when they grow past a bound, so a long-running lab does not accumulate every leaf it parsed.
const CACHE_LIMIT = 2000;
const signingKeys = new Map<string, Promise<CryptoKey>>();
const parsedCerts = new Map<string, x509.X509Certificate>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

function importSigningKey(keyPem: string): Promise<CryptoKey> {
  let key = signingKeys.get(keyPem);
  if (!key) {
    const pkcs8 = createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
    key = remember(
      signingKeys,
      keyPem,
      webcrypto.subtle.importKey('pkcs8', pkcs8, EC_ALGORITHM, false, ['sign']) as Promise<CryptoKey>,
    );
  }
  return key;
}

export function parseCertificate(certPem: string): x509.X509Certificate {
  let cert = parsedCerts.get(certPem);
  if (!cert) {
    cert = remember(parsedCerts, certPem, new x509.X509Certificate(certPem));
  }
  return cert;
}

/** A positive 128-bit serial, random like upstream's. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function subjectName(profile: CertificateProfile): x509.JsonName {
  // Go writes O before CN, so the DN reads "CN=...,O=..." when printed in reverse like pkix.Name.String().
  return profile.organization
    ? [{ O: [profile.organization] }, { CN: [profile.commonName] }]
    : [{ CN: [profile.commonName] }];
}

/** A self-signed CA: basicConstraints CA:true critical, keyCertSign|cRLSign|digitalSignature, SKI. */
export async function createSelfSignedCa(profile: CertificateProfile): Promise<PemPair> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(profile),
    notBefore: profile.notBefore,
    notAfter: profile.notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: { privateKey: keys.privateKey, publicKey: keys.publicKey },
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: normalizePem(cert.toString('pem')), keyPem: keys.keyPem };
}

function leafExtensions(
  profile: CertificateProfile,
  ca: x509.X509Certificate,
  subjectKeyId: x509.SubjectKeyIdentifierExtension,
): x509.Extension[] {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(profile.usages.map((usage) => x509.ExtendedKeyUsage[usage])),
    subjectKeyId,
  ];
  const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (caKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(caKeyId));
  const names: x509.JsonGeneralName[] = [
    ...profile.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...profile.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  return extensions;
}

/** Issues a leaf with a fresh key, signed by `ca`. */
export async function issueLeafCertificate(ca: PemPair, profile: CertificateProfile): Promise<PemPair> {
  const keys = await generateKeyPair();
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const certPem = await signLeaf(
    ca,
    profile.notBefore,
    profile.notAfter,
    subjectName(profile),
    keys.publicKey,
    (caCert) => leafExtensions(profile, caCert, subjectKeyId),
  );
  return { certPem, keyPem: keys.keyPem };
}

/**
 * Re-signs an existing leaf with a new validity period: same subject, key and extensions, same issuer, a new serial
 * (two different certificates must not share issuer+serial).
 */
export async function resignWithValidity(
  ca: PemPair,
  leafPem: string,
  notBefore: Date,
  notAfter: Date,
): Promise<string> {
  const leaf = new x509.X509Certificate(leafPem);
  return signLeaf(ca, notBefore, notAfter, leaf.subjectName, leaf.publicKey, () => leaf.extensions);
}

async function signLeaf(
  ca: PemPair,
  notBefore: Date,
  notAfter: Date,
  subject: x509.JsonName | x509.Name,
  publicKey: x509.PublicKeyType,
  extensionsFor: (caCert: x509.X509Certificate) => x509.Extension[],
): Promise<string> {
  const caCert = parseCertificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: extensionsFor(caCert),
  });
  return normalizePem(cert.toString('pem'));
}
