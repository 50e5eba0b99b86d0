// ConfigMaps and Secrets that clients create (`kubectl apply -f` of a manifest, as upstream's e2e suites deploy
// theirs), kept in memory with optimistic concurrency on resourceVersion. A Secret's stringData is folded into
// base64 data on write, as the apiserver does; neither kind has merge-keyed lists, so a strategic merge patch
// means a JSON merge patch here.
import type { ResourceVersionClock } from './clock.js';
import { applyMergePatch, isPlainObject } from './metadata-patch.js';
import { namespaceExists } from './namespaces.js';
import { cloneJson, stableUid, type KubeObject } from './objects.js';
import { alreadyExists, badRequest, conflict, invalid, notFound, type FailureStatus } from './status.js';
import { rfc3339 } from './time.js';

export type DataKind = 'ConfigMap' | 'Secret';
export type DataResult = { ok: true; object: KubeObject } | { ok: false; status: FailureStatus };

const RESOURCE: Record<DataKind, string> = { ConfigMap: 'configmaps', Secret: 'secrets' };
const key = (namespace: string, name: string) => `${namespace}/${name}`;
/** The fields of each kind besides apiVersion, kind and metadata (core/v1 types.go). */
const FIELDS: Record<DataKind, readonly string[]> = {
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
};

export class DataObjectStore {
  readonly #objects = new Map<string, KubeObject>();

  constructor(
    readonly kind: DataKind,
    private readonly clock: ResourceVersionClock,
  ) {}

  list(namespace?: string): KubeObject[] {
    return [...this.#objects.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.#objects.get(key(namespace, name));
  }

  create(namespace: string, body: unknown): DataResult {
    if (!namespaceExists(namespace)) return { ok: false, status: notFound('namespaces', '', namespace) };
    const parsed = this.#read(body, namespace);
    if (!parsed.ok) return parsed;
    const name = typeof parsed.value.metadata.name === 'string' ? parsed.value.metadata.name : '';
    if (!name)
      return {
        ok: false,
        status: invalid(this.kind, '', '', 'metadata.name: Required value: name or generateName is required'),
      };
    if (parsed.value.metadata.resourceVersion)
      return { ok: false, status: badRequest('resourceVersion should not be set on objects to be created') };
    if (this.#objects.has(key(namespace, name)))
      return { ok: false, status: alreadyExists(RESOURCE[this.kind], '', name) };
    const now = new Date();
    return this.#store(
      namespace,
      name,
      stableUid(this.kind, namespace, name, now.toISOString()),
      rfc3339(now),
      parsed.value,
    );
  }

  update(namespace: string, name: string, body: unknown): DataResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound(RESOURCE[this.kind], '', name) };
    const parsed = this.#read(body, namespace);
    if (!parsed.ok) return parsed;
    const rv = parsed.value.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion)
      return { ok: false, status: conflict(RESOURCE[this.kind], '', name) };
    return this.#store(namespace, name, current.metadata.uid, current.metadata.creationTimestamp, parsed.value);
  }

  /** Merge or strategic merge patch; a resourceVersion in the patch is a precondition. */
  patch(namespace: string, name: string, patchBody: unknown): DataResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound(RESOURCE[this.kind], '', name) };
    return this.update(namespace, name, applyMergePatch(cloneJson(current), patchBody));
  }

  delete(namespace: string, name: string): DataResult {
    const current = this.get(namespace, name);
    if (!current) return { ok: false, status: notFound(RESOURCE[this.kind], '', name) };
    this.#objects.delete(key(namespace, name));
    return { ok: true, object: current };
  }

  #read(body: unknown, namespace: string): { ok: true; value: KubeObject } | { ok: false; status: FailureStatus } {
    if (!isPlainObject(body))
      return { ok: false, status: badRequest(`the body of the request is not a ${this.kind} object`) };
    if (body.kind !== undefined && body.kind !== this.kind)
      return { ok: false, status: badRequest(`expected kind ${this.kind}, got ${String(body.kind)}`) };
    const metadata = isPlainObject(body.metadata) ? body.metadata : {};
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      return {
        ok: false,
        status: badRequest('the namespace of the provided object does not match the namespace sent on the request'),
      };
    }
    const object: Record<string, unknown> = { metadata: cloneJson(metadata) };
    for (const field of FIELDS[this.kind])
      if (body[field] !== undefined && body[field] !== null) object[field] = cloneJson(body[field]);
    if (this.kind === 'Secret') {
      const data = isPlainObject(object.data) ? { ...object.data } : {};
      if (isPlainObject(object.stringData)) {
        for (const [k, v] of Object.entries(object.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      }
      delete object.stringData;
      if (Object.keys(data).length > 0) object.data = data;
      object.type ??= 'Opaque';
    }
    return { ok: true, value: object as KubeObject };
  }

  #store(namespace: string, name: string, uid: string, creationTimestamp: string, parsed: KubeObject): DataResult {
    const { labels, annotations } = parsed.metadata;
    const metadata: KubeObject['metadata'] = {
      name,
      namespace,
      uid,
      resourceVersion: String(this.clock.next()),
      creationTimestamp,
    };
    if (isPlainObject(labels)) metadata.labels = labels;
    if (isPlainObject(annotations)) metadata.annotations = annotations;
    const { metadata: _metadata, ...fields } = parsed;
    const object: KubeObject = { apiVersion: 'v1', kind: this.kind, metadata, ...fields };
    this.#objects.set(key(namespace, name), object);
    return { ok: true, object };
  }
}
