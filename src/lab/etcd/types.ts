// The etcd members' public shapes, shared by the real and the emulated implementation (re-exported by index.ts).
import type { EtcdMember } from '../contract.js';

export interface EtcdMemberSpec {
  /** Node name, used as etcd --name. */
  name: string;
  /** Node address, e.g. 127.0.10.1: client https://address:2379, peer https://address:2380, health http://address:2381. */
  address: string;
  /** The node's <dataDir>/server/tls/etcd: server-ca.crt, server-client.*, peer-ca.crt, peer-server-client.*, client.* */
  tlsDir: string;
  /** Real etcd's --data-dir (kept across restarts). */
  dataDir: string;
  /** Where the member's own output goes (never our stdout). */
  logFile: string;
}

export interface EtcdClusterHealth {
  healthy: boolean;
  /** Name of the leader, or null when there is none (or it could not be asked). */
  leader: string | null;
  /** Names of the members whose process (or emulated server) is running. */
  running: string[];
  /** One human line: why healthy or not. */
  reason: string;
}

export interface EtcdCluster {
  readonly mode: 'real' | 'emulated';
  /** start()/stop()/isRunning() per contract.ts; throws for an unknown name (a bug in the caller). */
  member(name: string): EtcdMember;
  /** Quorum view: over TLS with a member's client certs (real) or from the emulated state. */
  health(): Promise<EtcdClusterHealth>;
  stopAll(): Promise<void>;
}

export interface EtcdClusterOptions {
  /** --initial-cluster-token. */
  token: string;
  /** Short heartbeat/election timeouts so tests elect in well under a second. */
  fastElection?: boolean;
}

export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;
export const METRICS_PORT = 2381;

export const clientUrl = (address: string) => `https://${address}:${CLIENT_PORT}`;
export const peerUrl = (address: string) => `https://${address}:${PEER_PORT}`;
export const metricsUrl = (address: string) => `http://${address}:${METRICS_PORT}`;
