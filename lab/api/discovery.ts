// Legacy (unaggregated) discovery and /version. kubectl 1.32 asks /api and /apis for aggregated discovery first
// (Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,...,application/json); answering
// plain JSON with Content-Type application/json makes it fall back to /api/v1 and /apis/{group}/{version}.
import type { ApiContext } from './context.js';
import { LEASE_GROUP } from './lease-store.js';

interface ResourceEntry {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

/** The verbs each resource really supports here, so `kubectl api-resources` tells the truth. */
const CORE_RESOURCES: ResourceEntry[] = [
  {
    name: 'configmaps',
    singularName: 'configmap',
    namespaced: true,
    kind: 'ConfigMap',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
    shortNames: ['cm'],
  },
  {
    name: 'events',
    singularName: 'event',
    namespaced: true,
    kind: 'Event',
    verbs: ['get', 'list'],
    shortNames: ['ev'],
  },
  {
    name: 'namespaces',
    singularName: 'namespace',
    namespaced: false,
    kind: 'Namespace',
    verbs: ['get', 'list'],
    shortNames: ['ns'],
  },
  {
    name: 'nodes',
    singularName: 'node',
    namespaced: false,
    kind: 'Node',
    verbs: ['get', 'list', 'patch', 'watch'],
    shortNames: ['no'],
  },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['list'], shortNames: ['po'] },
  {
    name: 'secrets',
    singularName: 'secret',
    namespaced: true,
    kind: 'Secret',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
  },
];

const LEASE_RESOURCES: ResourceEntry[] = [
  {
    name: 'leases',
    singularName: 'lease',
    namespaced: true,
    kind: 'Lease',
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
  },
];

export function apiVersions(ctx: ApiContext): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ctx.serverAddress }],
  };
}

export function coreResourceList(): object {
  return { kind: 'APIResourceList', groupVersion: 'v1', resources: CORE_RESOURCES };
}

const leaseGroupVersion = { groupVersion: `${LEASE_GROUP}/v1`, version: 'v1' };

export function leaseGroup(): object {
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: LEASE_GROUP,
    versions: [leaseGroupVersion],
    preferredVersion: leaseGroupVersion,
  };
}

export function apiGroupList(): object {
  const { kind: _kind, apiVersion: _apiVersion, ...group } = leaseGroup() as Record<string, unknown>;
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

export function leaseResourceList(): object {
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${LEASE_GROUP}/v1`, resources: LEASE_RESOURCES };
}

/** /version: the apiserver runs on control-plane servers, so it reports a control-plane node's version. */
export function versionInfo(ctx: ApiContext): object {
  const nodes = ctx.backend.nodes();
  const server = nodes.find((n) => n.roles.includes('control-plane')) ?? nodes[0];
  const gitVersion = server?.version ?? 'v0.0.0';
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? '0',
    minor: m?.[2] ?? '0',
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-05-15T00:00:00Z',
    goVersion: 'go1.23.8 X:boringcrypto',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
