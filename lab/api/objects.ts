// The small slice of Kubernetes object shapes the lab's API server builds and serves.
import { createHash } from 'node:crypto';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/**
 * A UUID derived from what identifies an object, so a node keeps its uid across requests and server restarts
 * (clients such as informers key caches by uid).
 */
export function stableUid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  // Shaped like a version-4 UUID so strict parsers accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A list as the apiserver sends it: items without apiVersion/kind, listMeta with the collection's version. */
export function listObject(
  apiVersion: string,
  kind: string,
  items: KubeObject[],
  listMeta: ListMeta,
): Record<string, unknown> {
  return { kind, apiVersion, metadata: listMeta, items: items.map(withoutTypeMeta) };
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

function withoutTypeMeta(item: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = item;
  return rest as KubeObject;
}

/** A deep copy of plain JSON data, so callers cannot change what the server keeps. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
