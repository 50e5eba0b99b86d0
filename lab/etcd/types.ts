// The etcd members' public shapes, shared by the real and the emulated implementation (re-exported by index.ts).
import type { EtcdMember } from '../contract.js';
import type { EtcdListenerLayout } from '../upstream-versions.js';

export interface EtcdMemberSpec {
  /** Node name, used as etcd --name. */
  name: string;
  /** Node address, e.g. 127.0.10.1: client https://address:2379 and peer https://address:2380 (front.ts). */
  address: string;
  /**
   * The node's own loopback: one unix socket per port (2379, 2381, 2382) that only this node's commands reach,
   * through the node's bin/curl (loopback.ts). Upstream's 127.0.0.1 listeners live here.
   */
  loopbackDir: string;
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
  /** Which listeners upstream gives the release being played (upstream-versions.ts etcdListenerLayout). */
  layout: EtcdListenerLayout;
}

export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;
export const METRICS_PORT = 2381;
export const CLIENT_HTTP_PORT = 2382;

/**
 * The member's own listeners, behind the front (front.ts): its full client API (HTTP and gRPC, TLS) and its
 * metrics. Lab wiring only — upstream has no such ports and keyturn never learns them.
 */
export const MEMBER_CLIENT_PORT = 22379;
export const MEMBER_METRICS_PORT = 22381;

/** The advertised client URL (what the member list shows): upstream's https://<node-ip>:2379. */
export const clientUrl = (address: string) => `https://${address}:${CLIENT_PORT}`;
export const peerUrl = (address: string) => `https://${address}:${PEER_PORT}`;
export const memberClientUrl = (address: string) => `https://${address}:${MEMBER_CLIENT_PORT}`;
export const memberMetricsUrl = (address: string) => `http://${address}:${MEMBER_METRICS_PORT}`;
