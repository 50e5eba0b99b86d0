// Contracts between the lab's parts: the controller (owns state and processes), the PKI, the Kubernetes API
// server and the etcd members. The lab is a simulated RKE2/K3s cluster that keyturn reaches exactly like a real
// one: through the inventory's `local` transport and the node's env (its bin/ first on PATH).
import path from 'node:path';
import type { Distro, Role } from '../src/model/cluster.js';

export type Topology = { kind: 'split' } | { kind: 'ha' } | { kind: 'single' } | { kind: 'large'; nodes: number };
export type EtcdMode = 'auto' | 'real' | 'emulated';

export interface LabOptions {
  topology: Topology;
  distro: Distro;
  /** Kubelet version string, e.g. v1.32.5+rke2r1. */
  version: string;
  dir: string;
  etcd: EtcdMode;
  /** Time scale: simulated durations (service start, RestartSec=5s, settle, reencrypt) are divided by this. */
  speed: number;
  /** First three octets of the node addresses: node N gets `${net}.${N}` (default 127.0.10). */
  net: string;
  /** API port; 0 picks a free one. */
  apiPort: number;
  /** Secrets in the cluster (for encryption work). */
  secrets: number;
  /** Secrets-encryption provider (`--encryption-provider`): secretbox allows only `rotate-keys`. */
  encryptionProvider: 'aescbc' | 'secretbox';
  /**
   * Every server joined a peer with `server:` set, the first one included (`--joined-all-servers`): as after the
   * init node was replaced. The precondition of the rotate-ca bootstrap bug (k3s#11233).
   */
  joinedAllServers: boolean;
  /**
   * Each node's data dir is given only on its unit's command line (`ExecStart=... server --data-dir DIR`), not in
   * config.yaml (`--data-dir-in-unit`): the CLI subcommands then look in the default data dir unless given
   * `--data-dir` (commands/default-data-dir.ts).
   */
  dataDirInUnit: boolean;
}

export interface LabNodeSpec {
  name: string;
  /** 1-based; the address is `${net}.${index}`. */
  index: number;
  address: string;
  roles: Role[];
  distro: Distro;
}

/** Files of a lab directory. Everything the lab writes lives under DIR. */
export function labPaths(dir: string) {
  const root = path.resolve(dir);
  return {
    root,
    kubeconfig: path.join(root, 'kubeconfig'),
    inventory: path.join(root, 'inventory.yaml'),
    /** JSON-lines RPC socket of the controller (node commands and faults). */
    socket: path.join(root, 'lab.sock'),
    /** HTTP on a unix socket for node commands: bin/ wrappers reach it with curl, far cheaper than starting Node. */
    httpSocket: path.join(root, 'lab-http.sock'),
    /** Append-only JSONL record of every node command and service transition: the lab's own audit trail. */
    record: path.join(root, 'record.jsonl'),
    /** Latency fault: a number of milliseconds, applied by each node's bin/sh before every node command. */
    latency: path.join(root, 'latency-ms'),
    /** The node command client (plain .mjs, no imports beyond node:net), shared by every node's bin/. */
    client: path.join(root, 'node-client.mjs'),
    pidFile: path.join(root, 'lab.pid'),
    node: (name: string) => labNodePaths(root, name),
  };
}

export function labNodePaths(root: string, name: string) {
  const nodeRoot = path.join(root, 'nodes', name);
  return {
    root: nodeRoot,
    /** Plays /var/lib/rancher/<prog>. */
    dataDir: path.join(nodeRoot, 'data'),
    /** Plays /etc/rancher/<prog> (config.yaml, <prog>.yaml kubeconfig). */
    etcDir: path.join(nodeRoot, 'etc'),
    bin: path.join(nodeRoot, 'bin'),
    /** Journal lines in journald's short format, one file per node. */
    journal: path.join(nodeRoot, 'journal.log'),
    /** Real etcd's --data-dir (outside the data dir so cert backups stay small). */
    etcdData: path.join(nodeRoot, 'etcd'),
  };
}

// ---- RPC between node commands (bin/<prog>, bin/systemctl, bin/journalctl) and the controller ----
// One JSON object per line each way on DIR/lab.sock.
export type RpcRequest =
  | { type: 'exec'; node: string; prog: string; argv: string[]; cwd: string }
  | { type: 'fault'; name: string; node?: string; args: string[] }
  | { type: 'ping' };

export type RpcFrame =
  { type: 'stdout'; data: string } | { type: 'stderr'; data: string } | { type: 'exit'; code: number };

// ---- The lab's record (DIR/record.jsonl) ----
export type RecordEntry =
  | { t: string; type: 'command'; node: string; prog: string; argv: string[]; code: number }
  | { t: string; type: 'service'; node: string; unit: string; from: ServiceState; to: ServiceState }
  | { t: string; type: 'fault'; name: string; node?: string; args: string[] };

export type ServiceState = 'active' | 'activating' | 'deactivating' | 'inactive' | 'failed';

// ---- What the Kubernetes API server needs from the controller ----
export interface LabNodeView {
  name: string;
  address: string;
  roles: Role[];
  distro: Distro;
  version: string;
  /** The kubelet is up and posting status. */
  ready: boolean;
  /** etcd-role nodes: the member is a healthy voter; null for nodes without etcd. */
  etcdVoter: boolean | null;
  /** `<stage>-<sha256 of encryption-config.json>` for control-plane servers; null for others. */
  encryptionHash: string | null;
  createdAt: string;
}

export interface LabEventView {
  node: string;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  time: string;
}

export interface ApiBackend {
  /** null when the apiserver can serve; otherwise why not (then requests answer 503). */
  unavailableReason(): string | null;
  nodes(): LabNodeView[];
  events(): LabEventView[];
  secretCount(): number;
  /** Called when a client patches a node's annotations (kubectl annotate, keyturn). */
  onNodeAnnotationsPatched?(name: string, annotations: Record<string, string | null>): void;
  /** Subscribe to node changes for watch; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

// ---- PKI material ----
export interface PemPair {
  certPem: string;
  keyPem: string;
}

// ---- etcd members ----
export interface EtcdMember {
  readonly name: string;
  readonly mode: 'real' | 'emulated';
  /** Resolves once the member listens on its client port; rejects with the reason it could not start. */
  start(): Promise<void>;
  /** Stops the member and every process it started. */
  stop(): Promise<void>;
  isRunning(): boolean;
}
