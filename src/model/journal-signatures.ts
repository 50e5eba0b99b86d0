// Journal text that means something on RKE2/K3s (field-notes "Signatures that mean something"): THE list of
// failure signatures. discovery/diagnose.ts turns a match into a Diagnosis (message and fix, keyed by the same
// code; the compiler asks for one per signature), and the run screen's log pane paints a matching line red.
// To add a signature: add its text test here (with the upstream source of the text), then its diagnosis there.
// Order matters: diagnose reports them in this order, and reads the not-yet-valid clock skew before the expiry.

export const JOURNAL_SIGNATURES = {
  // gRPC's handshake error alone is any gRPC peer (containerd too): it is etcd's only when the line names etcd.
  'etcd-handshake': (t: string) =>
    t.includes('failed to get etcd MemberList') ||
    (t.includes('transport: authentication handshake failed') && /etcd|:2379\b|:2380\b/.test(t)),
  // Go's x509 says "current time X is before Y" when notBefore is in the future: a clock skew, not an expiry.
  'cert-not-yet-valid': (t: string) =>
    /x509: certificate has expired or is not yet valid: current time \S+ is before/.test(t),
  'cert-expired': (t: string) => t.includes('x509: certificate has expired or is not yet valid'),
  'etcd-unhealthy-join': (t: string) => t.includes('etcdserver: unhealthy cluster'),
  // Go's os.Open error, e.g. rke2#2683 after an interrupted rotate: "open .../tls/etcd/client.key: no such file or directory".
  'key-missing': (t: string) => /open \S+\.key: no such file or directory/.test(t),
  // k3s pkg/server/handlers/secrets-encrypt.go getEncryptionHashAnnotation: the annotation must be "<stage>-<hash>".
  'encryption-annotation-invalid': (t: string) =>
    /invalid annotation .* found on node \S+|missing annotation on node \S+/.test(t),
  // k3s pkg/clientaccess/token.go validateCAHash (k3s#3727): "token CA hash does not match the Cluster CA certificate
  // hash: <the token's K10 hash> != <hash of the CA bundle the server sent>" — a node still on the old secure token
  // after a root-changing rotate-ca fails so on every join attempt.
  'token-ca-hash-mismatch': (t: string) => t.includes('token CA hash does not match the Cluster CA certificate hash'),
  'newer-than-datastore': (t: string) => t.includes('newer than datastore'),
  'tls-bad-certificate': (t: string) => t.includes('tls: bad certificate'),
} as const;

export type SignatureCode = keyof typeof JOURNAL_SIGNATURES;

export const SIGNATURE_CODES = Object.keys(JOURNAL_SIGNATURES) as SignatureCode[];

/** A line worth painting red in a live log: a fatal line (what killed the process) or a known signature. */
export function isFailureLine(text: string): boolean {
  return /level=fatal/.test(text) || SIGNATURE_CODES.some((code) => JOURNAL_SIGNATURES[code](text));
}
