// client-node objects → the plain shapes keyturn reads (types.ts). Type-only imports: nothing here loads client-node.
// API objects are untrusted (anyone with write access sets an annotation, a Lease holder, an event message): every
// string is neutralised here, where it enters keyturn (util/untrusted-text.ts).
import type { CoreV1Event, V1Lease, V1Node } from '@kubernetes/client-node';
import { neutraliseStrings } from '../util/untrusted-text.js';
import type { KubeEvent, KubeLease, KubeNode } from './types.js';

export function toKubeNode(node: V1Node): KubeNode {
  return neutraliseStrings({
    name: node.metadata?.name ?? '',
    labels: { ...(node.metadata?.labels ?? {}) },
    annotations: { ...(node.metadata?.annotations ?? {}) },
    internalIP: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? null,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
    providerID: node.spec?.providerID ?? null,
    conditions: (node.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(c.message !== undefined ? { message: c.message } : {}),
    })),
  });
}

export function toKubeEvent(event: CoreV1Event): KubeEvent {
  return neutraliseStrings({
    namespace: event.metadata?.namespace ?? '',
    involvedObject: { kind: event.involvedObject?.kind ?? '', name: event.involvedObject?.name ?? '' },
    reason: event.reason ?? '',
    message: event.message ?? '',
    type: event.type ?? '',
    // Newer emitters leave lastTimestamp empty and set eventTime or the series instead.
    lastTimestamp:
      isoOrNull(event.lastTimestamp) ?? isoOrNull(event.series?.lastObservedTime) ?? isoOrNull(event.eventTime),
    count: event.count ?? event.series?.count ?? 1,
  });
}

export function toKubeLease(lease: V1Lease): KubeLease {
  return neutraliseStrings({
    name: lease.metadata?.name ?? '',
    namespace: lease.metadata?.namespace ?? '',
    holderIdentity: lease.spec?.holderIdentity ?? null,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? null,
    acquireTime: isoOrNull(lease.spec?.acquireTime),
    renewTime: isoOrNull(lease.spec?.renewTime),
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  });
}

/**
 * client-node gives Time fields as Date but MicroTime fields as the raw string ("…00.000000Z"), and its
 * V1MicroTime's toISOString has six digits too; we give every time in one format (JavaScript's, milliseconds).
 */
export function isoOrNull(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : Date.prototype.toISOString.call(value);
  if (typeof value === 'string' && value !== '') {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return null;
}
