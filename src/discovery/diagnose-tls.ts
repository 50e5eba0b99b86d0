// `tls: bad certificate` and failed joins, read for where they happened before anything is prescribed: which
// listener (supervisor :9345/:6443, etcd client :2379 / peer :2380, kubelet :10250) and which way (this node served
// and a client refused its certificate, or it dialled and the server refused its client certificate).
import type { Diagnosis } from '../model/status.js';
import type { JournalLine } from './parse-journal.js';

/** Where a `tls: bad certificate` happened: which listener, and whether this node served or dialled. */
export interface TlsFailureSite {
  direction: 'incoming' | 'outgoing' | 'unknown';
  listener: 'supervisor' | 'etcd-client' | 'etcd-peer' | 'etcd' | 'kubelet' | 'apiserver' | 'unknown';
  /** The other end (host:port) when the line names it. */
  peer: string | null;
}

const PORT_LISTENER: Record<string, TlsFailureSite['listener']> = {
  '9345': 'supervisor',
  '2379': 'etcd-client',
  '2380': 'etcd-peer',
  '10250': 'kubelet',
  '6444': 'apiserver',
  // K3s serves its supervisor and the apiserver proxy on 6443; RKE2's 6443 is the apiserver itself.
  '6443': 'supervisor',
};

const LISTENER_TEXT: Record<TlsFailureSite['listener'], string> = {
  supervisor: 'the supervisor (rke2 :9345, k3s :6443)',
  'etcd-client': "etcd's client port :2379",
  'etcd-peer': "etcd's peer port :2380",
  etcd: 'etcd (client :2379 or peer :2380)',
  kubelet: 'the kubelet :10250',
  apiserver: 'the apiserver',
  unknown: 'a listener the line does not name',
};

export function tlsFailureSite(line: JournalLine): TlsFailureSite {
  const text = line.raw;
  // Incoming: this node served and the client refused our certificate ("remote error" from the client's alert).
  const served = /TLS handshake error from (\S+?):? /.exec(text);
  if (served) {
    const listener = /Cluster-Http-Server/.test(text) ? 'supervisor' : /kubelet/i.test(text) ? 'kubelet' : 'unknown';
    return { direction: 'incoming', listener, peer: served[1] };
  }
  if (line.fields && line.fields.msg === 'rejected connection') {
    return {
      direction: 'incoming',
      listener: 'etcd',
      peer: typeof line.fields['remote-addr'] === 'string' ? line.fields['remote-addr'] : null,
    };
  }
  if (/rejected connection from "?([^"\s]+)/.test(text))
    return {
      direction: 'incoming',
      listener: 'etcd',
      peer: /rejected connection from "?([^"\s]+?)"?[\s,]/.exec(`${text} `)?.[1] ?? null,
    };
  // Outgoing: this node dialled a URL or address and the server refused our client certificate.
  const target = /https:\/\/([^/\s"\\]+?):(\d+)|dial tcp ([^\s"\\]+?):(\d+)|Addr: \\?"([^"\\]+?):(\d+)/.exec(text);
  if (target) {
    const host = target[1] ?? target[3] ?? target[5];
    const port = target[2] ?? target[4] ?? target[6];
    return {
      direction: 'outgoing',
      listener: PORT_LISTENER[port] ?? (/etcd/i.test(text) ? 'etcd' : 'unknown'),
      peer: `${host}:${port}`,
    };
  }
  return { direction: 'unknown', listener: /etcd/i.test(text) ? 'etcd' : 'unknown', peer: null };
}

/** `tls: bad certificate`: which listener and which way first, then what to compare; never "stop every server". */
export function tlsBadCertificate(line: JournalLine): Diagnosis {
  const site = tlsFailureSite(line);
  const where = LISTENER_TEXT[site.listener];
  const peer = site.peer ? ` ${site.peer}` : '';
  let message: string;
  if (site.direction === 'incoming') {
    message = `incoming, on ${where}: the client${peer} rejected this node's serving certificate`;
    if (site.listener === 'supervisor') {
      message +=
        " — logged on every agent or server join that first tries the OS CA bundle (k3s#4126), so harmless alone; if joins fail, compare the joining node's server-ca.crt with this one (ca-consistency)";
    } else {
      message += ': compare the CA the client trusts with the one that signed this certificate (ca-consistency)';
    }
  } else if (site.direction === 'outgoing') {
    message = `outgoing, to ${where}${peer}: that server rejected this node's client certificate (not signed by the CA it trusts)`;
    message +=
      site.listener === 'supervisor'
        ? "; a join handshake: check this node's token and agent/server-ca.crt against the servers' (ca-consistency). Other servers need not stop"
        : ': compare CA fingerprints of the two nodes (ca-consistency) before restarting anything';
  } else {
    message = `on ${where}, direction not in the line: a peer rejected a certificate; compare CA fingerprints across nodes (ca-consistency) before restarting anything`;
  }
  return { code: 'tls-bad-certificate', message, evidence: line.raw, recipe: null };
}

/**
 * A failure to join through the supervisor: a TLS failure dialling it (:9345 rke2, :6443 k3s), the CA fetch
 * (`/cacerts`, "CA cert validation failed") or the join token's CA hash check ("token CA hash does not match the
 * Cluster CA certificate hash", k3s pkg/clientaccess/token.go).
 */
export function isJoinFailure(line: JournalLine): boolean {
  // An expired or not-yet-valid certificate on that path is the cert-expired / clock-skew case, not the join's config.
  if (line.raw.includes('certificate has expired or is not yet valid')) return false;
  if (
    /token CA hash does not match|Failed to validate connection to cluster|CA cert validation failed|\/cacerts\b/.test(
      line.raw,
    )
  )
    return true;
  const site = tlsFailureSite(line);
  return site.direction === 'outgoing' && site.listener === 'supervisor' && /tls:|x509:/.test(line.raw);
}
