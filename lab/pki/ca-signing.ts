// CA certificates signed by another CA: the intermediates and cross-signed roots of a rotate-ca bundle. Like
// upstream's openssl v3_ca profile: basicConstraints CA:true (critical), keyCertSign usage, subject and authority
// key identifiers (the AKI names the signer, which is how verifiers pick the cross-signed path).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import type { PemPair } from '../contract.js';
import { normalizePem } from './pem-files.js';
import { x509 } from './x509.js';

type CryptoKey = webcrypto.CryptoKey;
const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface CaCertificateRequest {
  commonName: string;
  /** The subject's private key (PEM); its public half goes into the certificate. */
  subjectKeyPem: string;
  /** The signing CA; 'self' makes a self-signed root. */
  issuer: PemPair | 'self';
  notBefore: Date;
  notAfter: Date;
}

export async function signCaCertificate(request: CaCertificateRequest): Promise<string> {
  const publicKey = await importPublicKey(request.subjectKeyPem);
  const signerKeyPem = request.issuer === 'self' ? request.subjectKeyPem : request.issuer.keyPem;
  const subjectKeyId = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  const issuerCert = request.issuer === 'self' ? null : new x509.X509Certificate(firstPem(request.issuer.certPem));
  const issuerKeyId = issuerCert
    ? issuerCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
    : subjectKeyId.keyId;
  const name = [{ CN: [request.commonName] }];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    subjectKeyId,
  ];
  if (issuerKeyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerKeyId));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: issuerCert ? issuerCert.subjectName : name,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey,
    signingKey: await importSigningKey(signerKeyPem),
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
  return normalizePem(cert.toString('pem'));
}

/** A new P-256 key as SEC1 PEM ("EC PRIVATE KEY"), like `openssl ecparam -genkey -noout`. */
export function generateEcKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'sec1' }).toString();
}

function firstPem(bundle: string): string {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(bundle)?.[0] ?? bundle;
}

async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  // The first key of the file, as Go's tls.LoadX509KeyPair takes it.
  const pkcs8 = createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, EC_ALGORITHM, false, ['sign']) as Promise<CryptoKey>;
}

async function importPublicKey(keyPem: string): Promise<CryptoKey> {
  const spki = createPublicKey(keyPem).export({ format: 'der', type: 'spki' });
  return webcrypto.subtle.importKey('spki', spki, EC_ALGORITHM, true, ['verify']) as Promise<CryptoKey>;
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}
