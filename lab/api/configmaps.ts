// ConfigMaps: none until a client creates one (the lab runs no workloads that would).
import { readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { handleDataObjects, type DataKindRoutes } from './data-objects.js';
import type { ApiRequest } from './request.js';
import type { Reply } from './reply.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from './table.js';

const configMapCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'ConfigMapList',
  table: {
    columns: [NAME_COLUMN, column('Data', 'Number of data entries', { type: 'integer' }), AGE_COLUMN],
    cells: (object, now) => [
      object.metadata.name,
      Object.keys((object.data as object | undefined) ?? {}).length,
      ageCell(object, now),
    ],
  },
  fieldLabels: ['metadata.name', 'metadata.namespace'],
  readField: readMetadataField,
};

const routes: DataKindRoutes = {
  resource: 'configmaps',
  collection: configMapCollection,
  store: (ctx) => ctx.configMaps,
};

export function handleConfigMaps(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Promise<Reply> {
  return handleDataObjects(routes, req, path, ctx);
}
