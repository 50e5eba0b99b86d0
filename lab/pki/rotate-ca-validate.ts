// What the supervisor does with a rotate-ca upload before saving it: every CA file missing from the bundle keeps
// the current data; each new CA certificate must chain to the current CA's roots (through the bundle's own
// intermediates, so cross-signing works), must come with at least one more certificate, and must match its key;
// the new service.key list must still hold the current signing key. Error texts are upstream's, prefixed by the
// bootstrap field, joined with ", ".
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { chainsToRoot, isSelfSigned } from './chain.js';
import { readIfExists, splitPemBundle } from './pem-files.js';
import type { CaMaterial, CaName, ClusterCAs } from './types.js';

/** Bootstrap fields in upstream's (reflection) order, with the bundle file each reads. */
const CA_FIELDS: { field: string; name: CaName; file: string }[] = [
  { field: 'ETCDServerCA', name: 'etcdServerCa', file: 'tls/etcd/server-ca' },
  { field: 'ETCDPeerCA', name: 'etcdPeerCa', file: 'tls/etcd/peer-ca' },
  { field: 'ServerCA', name: 'serverCa', file: 'tls/server-ca' },
  { field: 'ClientCA', name: 'clientCa', file: 'tls/client-ca' },
  { field: 'RequestHeaderCA', name: 'requestHeaderCa', file: 'tls/request-header-ca' },
];
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/g;

export interface CaBundleCheck {
  /** The CA set the datastore would hold: new files where given, current data elsewhere. */
  cas: ClusterCAs;
  /** Upstream's validation errors; empty when the bundle is acceptable. */
  errors: string[];
}

export async function checkRotateCaBundle(dir: string, current: ClusterCAs): Promise<CaBundleCheck> {
  const cas: ClusterCAs = { ...current };
  const errors: string[] = [];
  for (const { field, name, file } of CA_FIELDS) {
    const certPem = nonEmpty(await readIfExists(path.join(dir, `${file}.crt`)));
    const keyPem = nonEmpty(await readIfExists(path.join(dir, `${file}.key`)));
    if (certPem === undefined && keyPem === undefined) continue;
    const next: CaMaterial = {
      certPem: certPem ?? current[name].certPem,
      keyPem: keyPem ?? current[name].keyPem,
      commonName: current[name].commonName,
    };
    if (certPem !== undefined) {
      const problem = validateCa(current[name].certPem, certPem);
      if (problem) errors.push(`${field}: ${problem}`);
      next.commonName = commonNameOf(certPem) ?? next.commonName;
    }
    const keyProblem = validateCaKey(next.certPem, next.keyPem);
    if (keyProblem) errors.push(`${field}Key: ${keyProblem}`);
    cas[name] = next;
  }
  const serviceKey = nonEmpty(await readIfExists(path.join(dir, 'tls/service.key')));
  if (serviceKey !== undefined) {
    if (current.serviceKeyPem && !keepsSigningKey(current.serviceKeyPem, serviceKey)) {
      errors.push('ServiceKey: old ServiceAccount signing key not in new ServiceAccount key list');
    }
    cas.serviceKeyPem = serviceKey;
  }
  return { cas, errors };
}

function validateCa(oldPem: string, newPem: string): string | null {
  const parse = (pem: string) => splitPemBundle(pem).map((block) => new X509Certificate(block));
  let oldCerts: X509Certificate[];
  let newCerts: X509Certificate[];
  try {
    oldCerts = parse(oldPem);
    newCerts = parse(newPem);
  } catch (error) {
    return `data does not contain any valid RSA or ECDSA certificates: ${(error as Error).message}`;
  }
  const [first, ...rest] = newCerts;
  if (!first) return 'data does not contain any valid RSA or ECDSA certificates';
  if (newCerts.length === 1)
    return 'new CA bundle contains only a single certificate but should include root or intermediate CA certificates';
  const roots = oldCerts.filter(isSelfSigned);
  const intermediates = [...oldCerts.filter((c) => !isSelfSigned(c)), ...rest];
  return chainsToRoot(first, intermediates, roots)
    ? null
    : 'new CA cert cannot be verified using old CA chain: x509: certificate signed by unknown authority';
}

/** tls.LoadX509KeyPair: the first key of the key file must be the first certificate's. */
function validateCaKey(certPem: string, keyPem: string): string | null {
  const prefix = 'new CA cert and key cannot be loaded as X590KeyPair: ';
  const [leaf] = splitPemBundle(certPem);
  if (!leaf) return `${prefix}tls: failed to find any PEM data in certificate input`;
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return `${prefix}tls: failed to find any PEM data in key input`;
  }
  const certKey = new X509Certificate(leaf).publicKey;
  return sameKey(createPublicKey(key), certKey) ? null : `${prefix}tls: private key does not match public key`;
}

function keepsSigningKey(oldPem: string, newPem: string): boolean {
  const [oldFirst] = oldPem.match(PEM_KEY) ?? [];
  if (!oldFirst) return true;
  const oldKey = createPublicKey(oldFirst);
  return (newPem.match(PEM_KEY) ?? []).some((block) => {
    try {
      return sameKey(createPublicKey(block), oldKey);
    } catch {
      return false;
    }
  });
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ format: 'der', type: 'spki' }).equals(b.export({ format: 'der', type: 'spki' }));
}

function commonNameOf(pem: string): string | undefined {
  const [first] = splitPemBundle(pem);
  return first ? /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(first).subject)?.[1] : undefined;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
