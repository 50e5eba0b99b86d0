// Certificate path building the way Go's x509.Verify does it for the lab's purposes: from a certificate through
// any number of intermediates to a trusted root, each link checked by name and signature (and validity, when a
// time is given). Cross-signed CA bundles (rotate-ca) need more than one intermediate.
import type { X509Certificate } from 'node:crypto';

const MAX_DEPTH = 6;

export function issuedBy(child: X509Certificate, parent: X509Certificate, now?: Date): boolean {
  if (now && !isCurrent(parent, now)) return false;
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

export function isCurrent(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

/** Whether `cert` chains to one of `roots`, through certificates of `intermediates`. */
export function chainsToRoot(
  cert: X509Certificate,
  intermediates: X509Certificate[],
  roots: X509Certificate[],
  now?: Date,
): boolean {
  const visit = (current: X509Certificate, seen: Set<X509Certificate>, depth: number): boolean => {
    if (roots.some((root) => issuedBy(current, root, now))) return true;
    if (depth >= MAX_DEPTH) return false;
    return intermediates.some(
      (mid) =>
        !seen.has(mid) &&
        mid !== current &&
        issuedBy(current, mid, now) &&
        visit(mid, new Set([...seen, mid]), depth + 1),
    );
  };
  return visit(cert, new Set([cert]), 0);
}

/** A self-signed certificate: its own issuer, verified with its own key. */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}
