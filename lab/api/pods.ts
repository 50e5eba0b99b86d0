// Pods: the lab runs no workloads, but `kubectl describe node` and `kubectl get pods -A` list them; an empty list
// is the honest answer (rather than a 404 that breaks those commands).
import { listReply, readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import type { ApiRequest } from './request.js';
import { fail, type Reply } from './reply.js';
import { methodNotAllowed, notFound } from './status.js';
import { AGE_COLUMN, NAME_COLUMN, column } from './table.js';

const podCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'PodList',
  table: {
    columns: [
      NAME_COLUMN,
      column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'The aggregate status of the containers in this pod.'),
      column('Restarts', 'The number of times the containers in this pod have been restarted.'),
      AGE_COLUMN,
    ],
    cells: () => [],
  },
  fieldLabels: [
    'metadata.name',
    'metadata.namespace',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  readField: readMetadataField,
};

export function handlePods(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Reply {
  if (req.method !== 'GET') return fail(methodNotAllowed(req.method, 'pods'));
  if (path.name !== undefined) return fail(notFound('pods', '', path.name));
  return listReply(req, podCollection, [], ctx.clock.current);
}
