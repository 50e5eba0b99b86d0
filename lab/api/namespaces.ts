// The namespaces every RKE2/K3s cluster has.
import { listReply, readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { stableUid, type KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { methodNotAllowed, notFound } from './status.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column, renderObject, type TableSpec } from './table.js';
import { rfc3339 } from './time.js';

export const NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'] as const;

export function namespaceExists(name: string): boolean {
  return (NAMESPACES as readonly string[]).includes(name);
}

/** The cluster is as old as its oldest node. */
export function clusterCreatedAt(ctx: ApiContext): string {
  const times = ctx.backend
    .nodes()
    .map((n) => n.createdAt)
    .sort();
  return times[0] ?? rfc3339(ctx.startedAt);
}

function namespaceObject(name: string, createdAt: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: stableUid('Namespace', name, createdAt),
      resourceVersion: '1',
      creationTimestamp: createdAt,
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

const namespaceTable: TableSpec = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (object, now) => [object.metadata.name, (object.status as { phase: string }).phase, ageCell(object, now)],
};

const namespaceCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'NamespaceList',
  table: namespaceTable,
  fieldLabels: ['metadata.name', 'status.phase'],
  readField: (item, field) => (field === 'status.phase' ? 'Active' : readMetadataField(item, field)),
};

export function handleNamespaces(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Reply {
  if (req.method !== 'GET') return fail(methodNotAllowed(req.method, 'namespaces'));
  const createdAt = clusterCreatedAt(ctx);
  const all = NAMESPACES.map((name) => namespaceObject(name, createdAt));
  if (path.name === undefined) return listReply(req, namespaceCollection, all, ctx.clock.current);
  const found = all.find((n) => n.metadata.name === path.name);
  return found
    ? json(renderObject(req.representation, namespaceTable, found))
    : fail(notFound('namespaces', '', path.name));
}
