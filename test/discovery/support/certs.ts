// Real ECDSA P-256 certificates (like upstream) with chosen validity, for pem and scan tests.
import { webcrypto } from 'node:crypto';
// The lab's entry to @peculiar/x509 (it installs the Reflect shim the library needs and Node's WebCrypto).
import { x509 } from '../../../lab/pki/x509.js';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface TestCa {
  pem: string;
  name: string;
  keys: CryptoKeyPair;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, '0');

export async function makeCa(commonName: string, now = new Date(), days = 3650): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + days * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { pem: cert.toString('pem'), name: `CN=${commonName}`, keys };
}

/** A leaf signed by `ca`, valid from notBefore to notAfter; returns the upstream bundle (leaf, then CA). */
export async function makeLeafBundle(ca: TestCa, commonName: string, notBefore: Date, notAfter: Date): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${commonName}, O=system:masters`,
    issuer: ca.name,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  return `${cert.toString('pem')}\n${ca.pem}\n`;
}

export const days = (n: number, from = new Date()) => new Date(from.getTime() + n * DAY);
