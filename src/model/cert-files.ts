// Where upstream keeps certificates (field-notes "Certificates"). Paths are relative to the data dir.
import type { Distro, Role } from './cluster.js';
import { isServer } from './cluster.js';

export type CertKind = 'ca' | 'leaf';

export interface CertFile {
  /** Path relative to the data dir, e.g. server/tls/client-admin.crt */
  path: string;
  kind: CertKind;
  /** Name of the CA (a CertFile path) that issues this leaf; for CAs, the CA itself. */
  issuer: string;
  /** Whether a matching .key sits beside the .crt. */
  hasKey: boolean;
  /** Absent on releases older than the one that added it: its absence is no problem. */
  optional?: boolean;
}

export const SERVER_CAS = ['server-ca', 'client-ca', 'request-header-ca'] as const;

function serverTls(distro: Distro): CertFile[] {
  const ca = (name: string): CertFile => ({
    path: `server/tls/${name}.crt`,
    kind: 'ca',
    issuer: `server/tls/${name}.crt`,
    hasKey: true,
  });
  const leaf = (name: string, caName: string): CertFile => ({
    path: `server/tls/${name}.crt`,
    kind: 'leaf',
    issuer: `server/tls/${caName}.crt`,
    hasKey: true,
  });
  return [
    ...SERVER_CAS.map(ca),
    leaf('client-admin', 'client-ca'),
    leaf('client-controller', 'client-ca'),
    leaf('client-scheduler', 'client-ca'),
    leaf('client-kube-apiserver', 'client-ca'),
    leaf('client-kube-proxy', 'client-ca'),
    leaf(`client-${distro}-controller`, 'client-ca'),
    // The embedded cloud-controller-manager's own client (CN <prog>-cloud-controller-manager), issued on every server
    // by k3s pkg/daemons/control/deps genClientCerts and renewed by `certificate rotate --service cloud-controller`;
    // seen in real listings (rke2#8380, k3s#7328's journal, 2023). Older releases did not have it, hence optional.
    { ...leaf(`client-${distro}-cloud-controller`, 'client-ca'), optional: true },
    leaf('client-supervisor', 'client-ca'),
    leaf('client-auth-proxy', 'request-header-ca'),
    leaf('serving-kube-apiserver', 'server-ca'),
    // Serving certificates of kube-controller-manager (:10257) and kube-scheduler (:10259), signed by the server CA,
    // at Rancher's paths server/tls/<component>/<component>.crt (k3s#12172, PR k3s#12285, May 2025: v1.33.1,
    // v1.32.5, v1.31.9, v1.30.13 per the backports k3s#12295-#12298). Before, the components made self-signed ones
    // k3s did not manage: absent on older releases, hence optional.
    { ...leaf('kube-controller-manager/kube-controller-manager', 'server-ca'), optional: true },
    { ...leaf('kube-scheduler/kube-scheduler', 'server-ca'), optional: true },
  ];
}

function etcdTls(): CertFile[] {
  const dir = 'server/tls/etcd';
  return [
    { path: `${dir}/server-ca.crt`, kind: 'ca', issuer: `${dir}/server-ca.crt`, hasKey: true },
    { path: `${dir}/peer-ca.crt`, kind: 'ca', issuer: `${dir}/peer-ca.crt`, hasKey: true },
    { path: `${dir}/server-client.crt`, kind: 'leaf', issuer: `${dir}/server-ca.crt`, hasKey: true },
    { path: `${dir}/client.crt`, kind: 'leaf', issuer: `${dir}/server-ca.crt`, hasKey: true },
    { path: `${dir}/peer-server-client.crt`, kind: 'leaf', issuer: `${dir}/peer-ca.crt`, hasKey: true },
  ];
}

function agentFiles(distro: Distro): CertFile[] {
  return [
    // Copies of the cluster CAs, without keys.
    { path: 'agent/client-ca.crt', kind: 'ca', issuer: 'agent/client-ca.crt', hasKey: false },
    { path: 'agent/server-ca.crt', kind: 'ca', issuer: 'agent/server-ca.crt', hasKey: false },
    { path: 'agent/client-kubelet.crt', kind: 'leaf', issuer: 'agent/client-ca.crt', hasKey: true },
    { path: 'agent/serving-kubelet.crt', kind: 'leaf', issuer: 'agent/server-ca.crt', hasKey: true },
    { path: 'agent/client-kube-proxy.crt', kind: 'leaf', issuer: 'agent/client-ca.crt', hasKey: true },
    { path: `agent/client-${distro}-controller.crt`, kind: 'leaf', issuer: 'agent/client-ca.crt', hasKey: true },
  ];
}

/**
 * Every certificate a node of these roles holds. Servers hold server/tls (and etcd/ on every server, since
 * both etcd-only and control-plane servers are etcd clients); every node holds agent/.
 */
export function certFilesFor(distro: Distro, roles: readonly Role[]): CertFile[] {
  const files: CertFile[] = [];
  if (isServer(roles)) files.push(...serverTls(distro), ...etcdTls());
  files.push(...agentFiles(distro));
  return files;
}

export const ENCRYPTION_CONFIG = 'server/cred/encryption-config.json';
export const ENCRYPTION_STATE = 'server/cred/encryption-state.json';
