// The `keyturn status --json` document (design.md "Behaviour contracts"). Field names are a public contract.
import type { Distro, Role } from './cluster.js';

export type ClusterSource = 'api' | 'inventory' | 'remembered';
export type CertStatus = 'ok' | 'warning' | 'expired' | 'not-yet-valid';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';
export type CheckId =
  'api' | 'certificates' | 'ca-consistency' | 'encryption-hashes' | 'etcd-quorum' | 'services' | 'nodes';

export interface CertificateInfo {
  path: string;
  subject: string;
  issuer: string;
  notAfter: string;
  daysLeft: number;
  status: CertStatus;
  isCA: boolean;
  sha256: string;
}

export interface ServiceInfo {
  unit: string;
  /** systemd ActiveState: active, activating, deactivating, inactive, failed; "unknown" when unreadable. */
  state: string;
  /** systemd SubState ("start" while a Type=notify unit starts, "auto-restart" between two crashes); absent when unread. */
  subState?: string;
  restarts: number;
}

export interface EncryptionInfo {
  stage: string;
  hash: string;
  configHash: string;
  hashMatchesConfig: boolean;
}

export interface EtcdInfo {
  member: string;
  healthy: boolean;
  isLeader: boolean;
  error: string | null;
}

export interface Diagnosis {
  code: string;
  message: string;
  evidence: string;
  recipe: string | null;
}

export interface NodeStatus {
  name: string;
  address: string;
  roles: Role[];
  version: string;
  ready: boolean | null;
  /** Whether keyturn could run commands on the node; when false most fields below are empty. */
  reachable: boolean;
  /**
   * The data dir the scan used (inventory, else `--data-dir`/`-d` on the unit's ExecStart, else config.yaml, else
   * the default); absent when the node was not reached.
   */
  dataDir?: string;
  /**
   * The server that initialised the cluster (no `server:` to join; it loads bootstrap data from the datastore),
   * when known: first among equals in the rotation order (model/rotation-order.ts). Absent when unknown — nothing
   * discovers it yet, so today every view and every plan order by tier and name alone.
   */
  init?: boolean;
  service: ServiceInfo;
  certificates: CertificateInfo[];
  caFingerprints: Record<string, string>;
  encryption: EncryptionInfo | null;
  etcd: EtcdInfo | null;
  diagnoses: Diagnosis[];
}

export interface Check {
  id: CheckId;
  status: CheckStatus;
  detail: string;
}

/** Why the Kubernetes API could not be read, in one line that names the kubeconfig and the fix. */
export interface ApiProblem {
  kind: 'unreachable' | 'unavailable' | 'tls' | 'unauthorized' | 'forbidden' | 'error';
  message: string;
}

export interface StatusReport {
  /** apiProblem: present when a kubeconfig was given and the API could not be read. */
  cluster: {
    distro: Distro | 'unknown';
    version: string;
    apiReachable: boolean;
    source: ClusterSource;
    apiProblem?: ApiProblem;
  };
  nodes: NodeStatus[];
  checks: Check[];
}

/**
 * The node list before the nodes are scanned: what the wizard draws while the scan runs. First from the inventory
 * (known at once), then from the API once it answered.
 */
export interface NodePreview {
  /** Where the list came from; 'inventory' before the API answered means "not confirmed by the API yet". */
  source: ClusterSource;
  /** True once the API was asked (whether or not it answered). */
  final: boolean;
  nodes: { name: string; address: string; roles: Role[] | null; version: string }[];
}
