// Certificates for the lab's Kubernetes API listener and the kubeconfig it writes (DIR/kubeconfig), issued by the
// same cluster CAs a real apiserver and admin kubeconfig use, so kubectl and keyturn verify them the same way.
import type { PemPair } from '../contract.js';
import { issueLeafCertificate } from './signing.js';
import { CLOCK_SLACK_MS, DAY_MS, LEAF_DAYS, type ClusterCAs } from './types.js';

/** Serving certificate signed by the server CA: CN kube-apiserver, SANs localhost, kubernetes, 127.0.0.1 and `ips`. */
export async function issueApiServing(cas: ClusterCAs, now: Date, ips: string[]): Promise<PemPair> {
  return issueLeafCertificate(cas.serverCa, {
    commonName: 'kube-apiserver',
    usages: ['serverAuth'],
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: [...new Set(['127.0.0.1', ...ips])],
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY_MS),
  });
}

/** Client certificate CN=system:admin O=system:masters signed by the client CA, as in `<prog>.yaml`. */
export async function issueAdminClient(cas: ClusterCAs, now: Date, days: number = LEAF_DAYS): Promise<PemPair> {
  return issueLeafCertificate(cas.clientCa, {
    commonName: 'system:admin',
    organization: 'system:masters',
    usages: ['clientAuth'],
    dnsNames: [],
    ipAddresses: [],
    notBefore: new Date(now.getTime() - CLOCK_SLACK_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  });
}
