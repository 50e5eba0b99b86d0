// What every route can reach: the backend and the server's own in-memory state.
import type { ApiBackend } from '../contract.js';
import type { ResourceVersionClock } from './clock.js';
import type { DataObjectStore } from './data-store.js';
import type { LeaseStore } from './lease-store.js';
import type { NodeStore } from './node-store.js';

export interface ApiContext {
  backend: ApiBackend;
  clock: ResourceVersionClock;
  nodes: NodeStore;
  leases: LeaseStore;
  /** ConfigMaps and Secrets created by clients. */
  configMaps: DataObjectStore;
  secrets: DataObjectStore;
  /** host:port clients reach us on, for /api's serverAddressByClientCIDRs. */
  serverAddress: string;
  startedAt: Date;
}

/** A resource URL taken apart: /apis/{group}/{version}/namespaces/{ns}/{resource}/{name}. */
export interface ResourcePath {
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}
