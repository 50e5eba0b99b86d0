// The certificate files an emulated member needs, read at start like real etcd reads its flags' files, and the
// peer-trust check that decides whether two members can talk on the peer port (mutual TLS, both directions).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chainsToRoot, isCurrent } from '../../pki/chain.js';

export interface MemberTls {
  serverCa: string;
  serverCert: string;
  serverKey: string;
  peerCa: X509Certificate[];
  /** Leaf first, then whatever chain the bundle carries (upstream leaves are leaf + CA bundles). */
  peerChain: X509Certificate[];
}

export type TlsLoad = { kind: 'loaded'; tls: MemberTls } | { kind: 'unusable'; reason: string };

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export function loadMemberTls(tlsDir: string): TlsLoad {
  const read = (file: string) => readFileSync(path.join(tlsDir, file), 'utf8');
  try {
    const peerCaPem = read('peer-ca.crt');
    const peerCertPem = read('peer-server-client.crt');
    read('peer-server-client.key'); // must exist, as for real etcd
    return {
      kind: 'loaded',
      tls: {
        serverCa: read('server-ca.crt'),
        serverCert: read('server-client.crt'),
        serverKey: read('server-client.key'),
        peerCa: parsePemBundle(peerCaPem),
        peerChain: parsePemBundle(peerCertPem),
      },
    };
  } catch (error) {
    return { kind: 'unusable', reason: (error as Error).message };
  }
}

export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/**
 * Can `from` (at fromAddress) and `to` (at toAddress) hold a peer connection? Each side presents its
 * peer-server-client chain and verifies the other's against its own peer-ca, checking validity dates, the
 * extended key usage, and (as the dialling side) the IP SAN of the address it dials.
 */
export function peersTrustEachOther(
  a: { tls: MemberTls; address: string },
  b: { tls: MemberTls; address: string },
  now: Date,
): boolean {
  return (
    chainTrusted(a.tls.peerChain, b.tls.peerCa, now, CLIENT_AUTH) &&
    chainTrusted(b.tls.peerChain, a.tls.peerCa, now, SERVER_AUTH) &&
    chainTrusted(b.tls.peerChain, a.tls.peerCa, now, CLIENT_AUTH) &&
    chainTrusted(a.tls.peerChain, b.tls.peerCa, now, SERVER_AUTH) &&
    hasIp(a.tls.peerChain[0], a.address) &&
    hasIp(b.tls.peerChain[0], b.address)
  );
}

function chainTrusted(chain: X509Certificate[], roots: X509Certificate[], now: Date, usage: string): boolean {
  const leaf = chain[0];
  if (!leaf || !isCurrent(leaf, now) || !allowsUsage(leaf, usage)) return false;
  // Through whatever the presented bundle carries: after rotate-ca that is intermediate, new root, cross-signed root.
  return chainsToRoot(leaf, chain.slice(1), roots, now);
}

function allowsUsage(cert: X509Certificate, usage: string): boolean {
  const ekus = cert.keyUsage; // undefined when the certificate has no extendedKeyUsage: any usage goes
  return ekus === undefined || ekus.includes(usage);
}

function hasIp(cert: X509Certificate | undefined, address: string): boolean {
  return cert !== undefined && cert.checkIP(address) !== undefined;
}
