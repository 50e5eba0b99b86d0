// The CA hash in a join token (`K10<hash>::<user>:<password>`), computed the way upstream's hashCA does
// (k3s pkg/clientaccess/token.go): a file with one certificate hashes the file's bytes; a bundle with more hashes
// the DER of the root that the FIRST certificate chains to, as Go's x509 Verify finds it — certificates after
// the first go to the roots pool when their authority key id is empty or equal to their subject key id, to the
// intermediates pool otherwise, and the first chain Verify returns wins. Go's buildChains tries the roots pool
// before the intermediates (crypto/x509 verify.go), so for the rotate-ca bundle [intermediate, new root,
// new root cross-signed by the old, old root] the hash is the NEW self-signed root's, not the old one reached
// through the cross-signed copy. When Verify fails (nothing chains, an expired certificate) the file bytes are
// hashed, as upstream falls through to. Public certificates only.
import { createHash, X509Certificate } from 'node:crypto';
import { certFields, type CertFields } from './x509-der.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_USAGE = '2.5.29.37.0';

interface Cert {
  der: Buffer;
  x509: X509Certificate;
  f: CertFields;
}

export interface TokenCaHash {
  /** 64 lowercase hex characters: what follows `K10` in a token. */
  hash: string;
  /** What was hashed: the file bytes (one certificate, or no chain found) or the DER of the chain's root. */
  source: 'file' | 'root';
  /** The hashed root's subject, when source is 'root'. */
  rootSubject?: string;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function parse(pem: string): Cert[] {
  const out: Cert[] = [];
  for (const m of pem.matchAll(PEM_CERTIFICATE)) {
    const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
    out.push({ der, x509: new X509Certificate(der), f: certFields(der) });
  }
  return out;
}

/**
 * hashCA over a server-ca.crt's bytes. `fileBytes` must be the exact file content (the legacy hash is over it);
 * pass the text read from the node only when it is byte-exact, else give `fileSha256` from the node's sha256sum.
 */
export function tokenCaHash(fileBytes: Buffer | string, now: Date, fileSha256 = sha256(fileBytes)): TokenCaHash {
  const certs = parse(Buffer.isBuffer(fileBytes) ? fileBytes.toString('latin1') : fileBytes);
  if (certs.length === 0) throw new Error('no certificate in the CA file');
  if (certs.length === 1) return { hash: fileSha256, source: 'file' };
  const roots: Cert[] = [];
  const intermediates: Cert[] = [];
  for (const c of certs.slice(1)) {
    const pool = c.f.authorityKeyId.length === 0 || c.f.authorityKeyId.equals(c.f.subjectKeyId) ? roots : intermediates;
    if (!pool.some((p) => p.der.equals(c.der))) pool.push(c); // CertPool.AddCert ignores duplicates
  }
  const root = verifiedRoot(certs[0], roots, intermediates, now);
  return root
    ? { hash: sha256(root.der), source: 'root', rootSubject: root.x509.subject }
    : { hash: fileSha256, source: 'file' };
}

/** The last certificate of the first chain Go's Verify would return (default KeyUsages: ServerAuth), or null. */
function verifiedRoot(leaf: Cert, roots: Cert[], intermediates: Cert[], now: Date): Cert | null {
  if (!timeValid(leaf, now)) return null;
  const chains = roots.some((r) => r.der.equals(leaf.der))
    ? [[leaf]]
    : buildChains(leaf, [leaf], roots, intermediates, now);
  const usable = chains.filter((chain) =>
    chain.every(
      (c) =>
        c.f.extKeyUsage.length === 0 || c.f.extKeyUsage.includes(SERVER_AUTH) || c.f.extKeyUsage.includes(ANY_USAGE),
    ),
  );
  const first = usable[0];
  return first ? first[first.length - 1] : null;
}

function timeValid(c: Cert, now: Date): boolean {
  return now >= c.f.notBefore && now <= c.f.notAfter;
}

/** CertPool.findPotentialParents: same raw name, ordered matching key id, one key id missing, mismatching. */
function potentialParents(pool: Cert[], child: Cert): Cert[] {
  const named = pool.filter((p) => p.f.rawSubject.equals(child.f.rawIssuer));
  const aki = child.f.authorityKeyId;
  const match = named.filter((p) => p.f.subjectKeyId.equals(aki));
  const one = named.filter(
    (p) => !p.f.subjectKeyId.equals(aki) && (p.f.subjectKeyId.length === 0) !== (aki.length === 0),
  );
  const mismatch = named.filter((p) => !match.includes(p) && !one.includes(p));
  return [...match, ...one, ...mismatch];
}

function alreadyInChain(candidate: Cert, chain: Cert[]): boolean {
  const key = candidate.x509.publicKey.export({ type: 'spki', format: 'der' });
  return chain.some(
    (c) =>
      c.f.rawSubject.equals(candidate.f.rawSubject) &&
      c.x509.publicKey.export({ type: 'spki', format: 'der' }).equals(key),
  );
}

/** Certificate.CheckSignatureFrom: the parent may sign certificates, and its key verifies the signature. */
function signedBy(child: Cert, parent: Cert): boolean {
  if ((parent.f.version === 3 && !parent.f.basicConstraintsValid) || (parent.f.basicConstraintsValid && !parent.f.isCA))
    return false;
  if (parent.f.keyCertSign === false) return false;
  try {
    return child.x509.verify(parent.x509.publicKey);
  } catch {
    return false;
  }
}

function parentValid(parent: Cert, chain: Cert[], intermediate: boolean, now: Date): boolean {
  if (!timeValid(parent, now)) return false;
  if (intermediate && (!parent.f.basicConstraintsValid || !parent.f.isCA)) return false;
  if (parent.f.basicConstraintsValid && parent.f.maxPathLen >= 0 && chain.length - 1 > parent.f.maxPathLen)
    return false;
  return true;
}

function buildChains(c: Cert, chain: Cert[], roots: Cert[], intermediates: Cert[], now: Date): Cert[][] {
  const chains: Cert[][] = [];
  const consider = (candidate: Cert, intermediate: boolean) => {
    if (
      alreadyInChain(candidate, chain) ||
      !signedBy(c, candidate) ||
      !parentValid(candidate, chain, intermediate, now)
    )
      return;
    if (!intermediate) chains.push([...chain, candidate]);
    else chains.push(...buildChains(candidate, [...chain, candidate], roots, intermediates, now));
  };
  for (const r of potentialParents(roots, c)) consider(r, false);
  for (const i of potentialParents(intermediates, c)) consider(i, true);
  return chains;
}
