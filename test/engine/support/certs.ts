// Real X.509 PEMs for the fake nodes (self-signed ECDSA P-256; one key pair reused for speed).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
let keys: Promise<KeyPair> | null = null;
let serial = 1;

const cache = new Map<string, Promise<string>>();

/** Memoised by its fields: the fake clock is deterministic, so runs share certificates and stay fast. */
export function makePem(cn: string, notBefore: Date, notAfter: Date, ca: boolean): Promise<string> {
  const key = `${cn}|${notBefore.toISOString()}|${notAfter.toISOString()}|${ca}`;
  let pem = cache.get(key);
  if (!pem) {
    pem = generate(cn, notBefore, notAfter, ca);
    cache.set(key, pem);
  }
  return pem;
}

async function generate(cn: string, notBefore: Date, notAfter: Date, ca: boolean): Promise<string> {
  keys ??= webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as unknown as Promise<KeyPair>;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${cn}`,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    keys: await keys,
    extensions: [new x509.BasicConstraintsExtension(ca, undefined, true)],
  });
  return cert.toString('pem');
}
