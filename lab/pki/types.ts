// Shapes shared by the lab's PKI modules. The lab keeps the cluster's CA material in one JSON file (the
// "datastore" copy) and writes per-node copies at the upstream paths (src/model/cert-files.ts).
import type { Distro, Role } from '../../src/model/cluster.js';
import type { PemPair } from '../contract.js';

export interface CaMaterial extends PemPair {
  commonName: string;
}

export interface ClusterCAs {
  serverCa: CaMaterial;
  clientCa: CaMaterial;
  requestHeaderCa: CaMaterial;
  etcdServerCa: CaMaterial;
  etcdPeerCa: CaMaterial;
  /**
   * The service-account signing key (server/tls/service.key). Upstream keeps it in the datastore so every server
   * signs and verifies tokens with the same key; optional so older saved files still load.
   */
  serviceKeyPem?: string;
}

export type CaName = 'serverCa' | 'clientCa' | 'requestHeaderCa' | 'etcdServerCa' | 'etcdPeerCa';

export const CA_NAMES: readonly CaName[] = ['serverCa', 'clientCa', 'requestHeaderCa', 'etcdServerCa', 'etcdPeerCa'];

export interface NodeCertContext {
  /** Plays /var/lib/rancher/<prog>. */
  dataDir: string;
  distro: Distro;
  roles: Role[];
  nodeName: string;
  /** The node's InternalIP, e.g. 127.0.10.3. */
  address: string;
  cas: ClusterCAs;
  /** The lab's release (LabOptions.version): which certificate files exist depends on it; absent: a current release. */
  version?: string;
}

export const LEAF_DAYS = 365;
export const CA_DAYS = 3650;
/** notBefore is set this far before "now" so a freshly issued cert is valid on a slightly slow clock. */
export const CLOCK_SLACK_MS = 60_000;
export const DAY_MS = 86_400_000;
