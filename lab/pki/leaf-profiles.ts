// What each certificate file of a node says: subject, usages and SANs of every leaf, and which cluster CA a CA
// file or a leaf's issuer path stands for. Paths are those of src/model/cert-files.ts, relative to the data dir.
import type { Distro } from '../../src/model/cluster.js';
import type { ExtendedUsage } from './signing.js';
import type { CaName, NodeCertContext } from './types.js';

export interface LeafProfile {
  commonName: string;
  organization?: string;
  usages: ExtendedUsage[];
  dnsNames: string[];
  ipAddresses: string[];
}

/** The cluster CA that a CA file (server/tls/client-ca.crt, agent/server-ca.crt, …) holds. */
export function caNameForFile(caPath: string): CaName {
  switch (caPath) {
    case 'server/tls/server-ca.crt':
    case 'agent/server-ca.crt':
      return 'serverCa';
    case 'server/tls/client-ca.crt':
    case 'agent/client-ca.crt':
      return 'clientCa';
    case 'server/tls/request-header-ca.crt':
      return 'requestHeaderCa';
    case 'server/tls/etcd/server-ca.crt':
      return 'etcdServerCa';
    case 'server/tls/etcd/peer-ca.crt':
      return 'etcdPeerCa';
    default:
      throw new Error(`no cluster CA is kept at ${caPath}`);
  }
}

const client = (commonName: string, organization?: string): LeafProfile => ({
  commonName,
  organization,
  usages: ['clientAuth'],
  dnsNames: [],
  ipAddresses: [],
});

/** Subject and SANs of the leaf at `certPath` on this node; throws for a path that is not a known leaf. */
export function leafProfileFor(
  certPath: string,
  ctx: Pick<NodeCertContext, 'distro' | 'nodeName' | 'address'>,
): LeafProfile {
  const prog = ctx.distro;
  const localAddresses = ['127.0.0.1', ctx.address];
  switch (certPath) {
    case 'server/tls/client-admin.crt':
      return client('system:admin', 'system:masters');
    case 'server/tls/client-controller.crt':
      return client('system:kube-controller-manager');
    case 'server/tls/client-scheduler.crt':
      return client('system:kube-scheduler');
    case 'server/tls/client-kube-apiserver.crt':
      return client('system:apiserver', 'system:masters');
    case 'server/tls/client-kube-proxy.crt':
    case 'agent/client-kube-proxy.crt':
      return client('system:kube-proxy');
    case `server/tls/client-${prog}-controller.crt`:
    case `agent/client-${prog}-controller.crt`:
      return client(`system:${prog}-controller`);
    case `server/tls/client-${prog}-cloud-controller.crt`:
      // k3s pkg/daemons/control/deps genClientCerts: no organization.
      return client(`${prog}-cloud-controller-manager`);
    case 'server/tls/client-supervisor.crt':
      return client(`system:${prog}-supervisor`, 'system:masters');
    case 'server/tls/client-auth-proxy.crt':
      return client('system:auth-proxy');
    case 'server/tls/serving-kube-apiserver.crt':
      return {
        commonName: 'kube-apiserver',
        usages: ['serverAuth'],
        dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'localhost'],
        ipAddresses: unique(localAddresses),
      };
    // k3s pkg/server/handlers cert.go: CN kube-controller-manager / kube-scheduler, serverAuth, loopbackAltNames().
    case 'server/tls/kube-controller-manager/kube-controller-manager.crt':
      return {
        commonName: 'kube-controller-manager',
        usages: ['serverAuth'],
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      };
    case 'server/tls/kube-scheduler/kube-scheduler.crt':
      return {
        commonName: 'kube-scheduler',
        usages: ['serverAuth'],
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      };
    case 'agent/client-kubelet.crt':
      return client(`system:node:${ctx.nodeName}`, 'system:nodes');
    case 'agent/serving-kubelet.crt':
      return {
        commonName: ctx.nodeName,
        usages: ['serverAuth'],
        dnsNames: unique([ctx.nodeName, 'localhost']),
        ipAddresses: [ctx.address],
      };
    case 'server/tls/etcd/server-client.crt':
      return {
        commonName: 'etcd-server',
        usages: ['serverAuth', 'clientAuth'],
        dnsNames: ['localhost'],
        ipAddresses: unique(localAddresses),
      };
    case 'server/tls/etcd/peer-server-client.crt':
      return {
        commonName: 'etcd-peer',
        usages: ['serverAuth', 'clientAuth'],
        dnsNames: ['localhost'],
        ipAddresses: unique(localAddresses),
      };
    case 'server/tls/etcd/client.crt':
      return client('etcd-client');
    default:
      throw new Error(`no leaf profile for ${certPath} (${prog})`);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

// ---- `<prog> certificate rotate|check --service` names and the files they cover (upstream services.go) ----

/** Services an agent rotates and checks, in upstream's order. */
export function agentServices(distro: Distro): string[] {
  return ['kube-proxy', 'kubelet', `${distro}-controller`];
}

/** Services a server rotates and checks (server ones, then agent ones), in upstream's order. */
export function allServices(distro: Distro): string[] {
  return [
    'api-server',
    'admin',
    'auth-proxy',
    'cloud-controller',
    'controller-manager',
    'etcd',
    'scheduler',
    'supervisor',
    `${distro}-server`,
    ...agentServices(distro),
  ];
}

/** upstream's message for a service name it does not know, or null when every name is valid. */
export function invalidServiceMessage(distro: Distro, services: readonly string[]): string | null {
  const valid = allServices(distro);
  const unknown = services.find((service) => !valid.includes(service));
  return unknown === undefined ? null : `service ${unknown} is not recognized`;
}

/**
 * The .crt files (relative) a service covers; each has a .key beside it. `<prog>-server` is a valid name whose
 * file is the dynamic listener cache (tls/dynamic-cert-regenerate makes the next start re-create it).
 */
export function certFilesForService(distro: Distro, service: string): string[] {
  const tls = (name: string) => `server/tls/${name}.crt`;
  switch (service) {
    case 'admin':
      return [tls('client-admin')];
    case 'api-server':
      return [tls('client-kube-apiserver'), tls('serving-kube-apiserver')];
    // The serving ones since k3s#12172 (k3s pkg/util/services FilesForServices); missing files are skipped.
    case 'controller-manager':
      return [tls('client-controller'), tls('kube-controller-manager/kube-controller-manager')];
    case 'scheduler':
      return [tls('client-scheduler'), tls('kube-scheduler/kube-scheduler')];
    case 'etcd':
      return [tls('etcd/client'), tls('etcd/server-client'), tls('etcd/peer-server-client')];
    case `${distro}-controller`:
      return [tls(`client-${distro}-controller`), `agent/client-${distro}-controller.crt`];
    case 'supervisor':
      return [tls('client-supervisor')];
    case 'auth-proxy':
      return [tls('client-auth-proxy')];
    case 'kubelet':
      // Also server/tls/client-kubelet.key and serving-kubelet.key, keys without a .crt (see keyOnlyFilesForService).
      return ['agent/client-kubelet.crt', 'agent/serving-kubelet.crt'];
    case 'kube-proxy':
      return [tls('client-kube-proxy'), 'agent/client-kube-proxy.crt'];
    case 'cloud-controller':
      return [tls(`client-${distro}-cloud-controller`)];
    case `${distro}-server`:
      return [];
    default:
      throw new Error(`service ${service} is not recognized`);
  }
}

/** Key files a service covers that have no certificate beside them (k3s pkg/util/services/services.go Kubelet). */
export function keyOnlyFilesForService(service: string): string[] {
  return service === 'kubelet' ? ['server/tls/client-kubelet.key', 'server/tls/serving-kubelet.key'] : [];
}
