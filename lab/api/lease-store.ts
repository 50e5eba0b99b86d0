// coordination.k8s.io/v1 Leases, kept in memory with optimistic concurrency on resourceVersion. Seeded like a
// fresh RKE2/K3s cluster: leader-election leases in kube-system and one heartbeat lease per node.
import { randomBytes } from 'node:crypto';
import type { ApiBackend } from '../contract.js';
import type { ResourceVersionClock } from './clock.js';
import { applyMergePatch, isPlainObject } from './metadata-patch.js';
import { namespaceExists } from './namespaces.js';
import { cloneJson, stableUid, type KubeObject } from './objects.js';
import { alreadyExists, badRequest, conflict, invalid, notFound, type FailureStatus } from './status.js';
import { microTime, normalizeMicroTime, rfc3339 } from './time.js';

export const LEASE_GROUP = 'coordination.k8s.io';
export type LeaseResult = { ok: true; lease: KubeObject } | { ok: false; status: FailureStatus };

const key = (namespace: string, name: string) => `${namespace}/${name}`;

export class LeaseStore {
  readonly #backend: ApiBackend;
  readonly #clock: ResourceVersionClock;
  readonly #leases = new Map<string, KubeObject>();
  #seeded = false;

  constructor(backend: ApiBackend, clock: ResourceVersionClock) {
    this.#backend = backend;
    this.#clock = clock;
  }

  list(namespace?: string): KubeObject[] {
    this.#sync();
    return [...this.#leases.entries()]
      .filter(([, lease]) => namespace === undefined || lease.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, lease]) => lease);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    this.#sync();
    return this.#leases.get(key(namespace, name));
  }

  create(namespace: string, body: unknown): LeaseResult {
    this.#sync();
    if (!namespaceExists(namespace)) return { ok: false, status: notFound('namespaces', '', namespace) };
    const parsed = readLeaseBody(body, namespace);
    if (!parsed.ok) return parsed;
    const { metadata } = parsed;
    if (metadata.resourceVersion)
      return { ok: false, status: badRequest('resourceVersion should not be set on objects to be created') };
    const name =
      metadata.name ||
      (metadata.generateName ? `${metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}` : '');
    if (!name)
      return {
        ok: false,
        status: invalid('Lease', LEASE_GROUP, '', 'metadata.name: Required value: name or generateName is required'),
      };
    if (this.#leases.has(key(namespace, name)))
      return { ok: false, status: alreadyExists('leases', LEASE_GROUP, name) };
    const now = new Date();
    const lease = leaseObject(
      namespace,
      name,
      stableUid('Lease', namespace, name, now.toISOString()),
      rfc3339(now),
      this.#clock.next(),
      parsed,
    );
    this.#leases.set(key(namespace, name), lease);
    return { ok: true, lease };
  }

  /** PUT: the body must carry the resourceVersion it was read at; a stale one is a 409 Conflict. */
  update(namespace: string, name: string, body: unknown): LeaseResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound('leases', LEASE_GROUP, name) };
    const parsed = readLeaseBody(body, namespace);
    if (!parsed.ok) return parsed;
    if (parsed.metadata.name && parsed.metadata.name !== name) {
      return {
        ok: false,
        status: badRequest(
          `the name of the object (${parsed.metadata.name}) does not match the name on the URL (${name})`,
        ),
      };
    }
    if (!parsed.metadata.resourceVersion) {
      return {
        ok: false,
        status: invalid(
          'Lease',
          LEASE_GROUP,
          name,
          'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
        ),
      };
    }
    if (parsed.metadata.resourceVersion !== current.metadata.resourceVersion)
      return { ok: false, status: conflict('leases', LEASE_GROUP, name) };
    return this.#replace(current, parsed);
  }

  /** Merge (or strategic merge: a Lease has no merge-keyed lists) patch; a resourceVersion in it is a precondition. */
  patch(namespace: string, name: string, patchBody: unknown): LeaseResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound('leases', LEASE_GROUP, name) };
    const merged = applyMergePatch(cloneJson(current), patchBody);
    const parsed = readLeaseBody(merged, namespace);
    if (!parsed.ok) return parsed;
    if (parsed.metadata.resourceVersion !== current.metadata.resourceVersion)
      return { ok: false, status: conflict('leases', LEASE_GROUP, name) };
    return this.#replace(current, parsed);
  }

  delete(namespace: string, name: string): LeaseResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound('leases', LEASE_GROUP, name) };
    this.#leases.delete(key(namespace, name));
    return { ok: true, lease: current };
  }

  #replace(current: KubeObject, parsed: ParsedLease): LeaseResult {
    const { name, namespace = '', uid, creationTimestamp } = current.metadata;
    const lease = leaseObject(namespace, name, uid, creationTimestamp, this.#clock.next(), parsed);
    this.#leases.set(key(namespace, name), lease);
    return { ok: true, lease };
  }

  /** Seeds the leader leases once nodes are known, and keeps a heartbeat lease per node (the kubelet recreates it). */
  #sync(): void {
    const nodes = this.#backend.nodes();
    if (!this.#seeded && nodes.length > 0) {
      this.#seeded = true;
      const prog = nodes[0].distro;
      const controlPlane = nodes.find((n) => n.roles.includes('control-plane')) ?? nodes[0];
      const etcd = nodes.find((n) => n.roles.includes('etcd')) ?? controlPlane;
      const leader = (component: string) => `${controlPlane.name}_${stableUid(component, controlPlane.name)}`;
      const since = nodes.map((n) => n.createdAt).sort()[0];
      this.#seed('kube-system', 'kube-controller-manager', leader('kube-controller-manager'), 15, since);
      this.#seed('kube-system', 'kube-scheduler', leader('kube-scheduler'), 15, since);
      this.#seed('kube-system', 'cloud-controller-manager', leader('cloud-controller-manager'), 15, since);
      this.#seed('kube-system', prog, controlPlane.name, 15, since);
      this.#seed('kube-system', `${prog}-etcd`, etcd.name, 15, since);
    }
    const names = new Set(nodes.map((n) => n.name));
    for (const node of nodes) {
      if (!this.#leases.has(key('kube-node-lease', node.name)))
        this.#seed('kube-node-lease', node.name, node.name, 40, node.createdAt);
    }
    for (const [k, lease] of this.#leases) {
      if (lease.metadata.namespace === 'kube-node-lease' && !names.has(lease.metadata.name)) this.#leases.delete(k);
    }
  }

  /** A lease that existed before the API server started: created with the cluster (or node), renewed just now. */
  #seed(
    namespace: string,
    name: string,
    holderIdentity: string,
    leaseDurationSeconds: number,
    createdAt: string,
  ): void {
    const now = new Date();
    const spec = {
      holderIdentity,
      leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    const parsed: ParsedLease = { ok: true, metadata: {}, spec };
    const uid = stableUid('Lease', namespace, name, createdAt);
    this.#leases.set(key(namespace, name), leaseObject(namespace, name, uid, createdAt, this.#clock.next(), parsed));
  }
}

interface ParsedLease {
  ok: true;
  metadata: { name?: string; generateName?: string; resourceVersion?: string; labels?: unknown; annotations?: unknown };
  spec: Record<string, unknown>;
}

function readLeaseBody(body: unknown, namespace: string): ParsedLease | { ok: false; status: FailureStatus } {
  if (!isPlainObject(body)) return { ok: false, status: badRequest('the body of the request is not a Lease object') };
  if (body.kind !== undefined && body.kind !== 'Lease')
    return { ok: false, status: badRequest(`expected kind Lease, got ${String(body.kind)}`) };
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    return {
      ok: false,
      status: badRequest('the namespace of the provided object does not match the namespace sent on the request'),
    };
  }
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const duration = spec.leaseDurationSeconds;
  if (duration !== undefined && duration !== null && (!Number.isInteger(duration) || (duration as number) <= 0)) {
    const name = typeof metadata.name === 'string' ? metadata.name : '';
    return {
      ok: false,
      status: invalid(
        'Lease',
        LEASE_GROUP,
        name,
        `spec.leaseDurationSeconds: Invalid value: ${String(duration)}: must be greater than 0`,
      ),
    };
  }
  const normalizedSpec = { ...spec };
  for (const field of ['acquireTime', 'renewTime'] as const) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    const normalized = typeof value === 'string' ? normalizeMicroTime(value) : undefined;
    if (normalized === undefined)
      return { ok: false, status: badRequest(`spec.${field}: cannot parse ${JSON.stringify(value)} as a MicroTime`) };
    normalizedSpec[field] = normalized;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    ok: true,
    metadata: {
      name: text(metadata.name),
      generateName: text(metadata.generateName),
      resourceVersion: text(metadata.resourceVersion),
      labels: metadata.labels,
      annotations: metadata.annotations,
    },
    spec: normalizedSpec,
  };
}

function leaseObject(
  namespace: string,
  name: string,
  uid: string,
  createdAt: string,
  resourceVersion: number,
  parsed: ParsedLease,
): KubeObject {
  const metadata: KubeObject['metadata'] = {
    name,
    namespace,
    uid,
    resourceVersion: String(resourceVersion),
    creationTimestamp: createdAt,
  };
  if (isPlainObject(parsed.metadata.labels))
    metadata.labels = cloneJson(parsed.metadata.labels) as Record<string, string>;
  if (isPlainObject(parsed.metadata.annotations))
    metadata.annotations = cloneJson(parsed.metadata.annotations) as Record<string, string>;
  return { apiVersion: `${LEASE_GROUP}/v1`, kind: 'Lease', metadata, spec: cloneJson(parsed.spec) };
}
