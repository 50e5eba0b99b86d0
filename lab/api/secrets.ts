// Secrets: backend.secretCount() metadata-only items spread over a few namespaces, in the order etcd keeps them
// (namespace, then name), so limit=1 + remainingItemCount counts them cheaply; read-only. Clients may create
// their own (kubectl apply), kept in ctx.secrets and listed with them.
import { readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { clusterCreatedAt } from './namespaces.js';
import { handleDataObjects, type DataKindRoutes } from './data-objects.js';
import { stableUid, type KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import type { Reply } from './reply.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column, type TableSpec } from './table.js';

/** Where the lab's secrets live; secret i goes to SECRET_NAMESPACES[i % length]. */
const SECRET_NAMESPACES = ['default', 'kube-system', 'kube-public'] as const;

function secretObject(namespace: string, name: string, createdAt: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      uid: stableUid('Secret', namespace, name),
      resourceVersion: '1',
      creationTimestamp: createdAt,
    },
    type: 'Opaque',
  };
}

/** Every secret, sorted by namespace then name. Built per request: thousands take a few milliseconds. */
function allSecrets(ctx: ApiContext): KubeObject[] {
  const count = Math.max(0, Math.floor(ctx.backend.secretCount()));
  const createdAt = clusterCreatedAt(ctx);
  const width = Math.max(5, String(count).length);
  const byNamespace = new Map<string, KubeObject[]>();
  for (let i = 0; i < count; i++) {
    const namespace = SECRET_NAMESPACES[i % SECRET_NAMESPACES.length];
    const name = `lab-secret-${String(i + 1).padStart(width, '0')}`;
    const list = byNamespace.get(namespace) ?? [];
    list.push(secretObject(namespace, name, createdAt));
    byNamespace.set(namespace, list);
  }
  return [...byNamespace.keys()].sort().flatMap((namespace) => byNamespace.get(namespace) ?? []);
}

const secretTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column('Type', 'The type of the secret'),
    column('Data', 'The number of entries in the data field', { type: 'integer' }),
    AGE_COLUMN,
  ],
  cells: (object, now) => [
    object.metadata.name,
    String(object.type),
    Object.keys((object.data as object | undefined) ?? {}).length,
    ageCell(object, now),
  ],
};

const secretCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'SecretList',
  table: secretTable,
  fieldLabels: ['metadata.name', 'metadata.namespace', 'type'],
  readField: (item, field) => (field === 'type' ? String(item.type) : readMetadataField(item, field)),
};

const routes: DataKindRoutes = {
  resource: 'secrets',
  collection: secretCollection,
  store: (ctx) => ctx.secrets,
  fixed: (ctx, namespace) =>
    allSecrets(ctx).filter((s) => namespace === undefined || s.metadata.namespace === namespace),
};

export function handleSecrets(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Promise<Reply> {
  return handleDataObjects(routes, req, path, ctx);
}
