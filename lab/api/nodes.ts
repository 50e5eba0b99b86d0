// /api/v1/nodes: list, get, watch and metadata PATCH (kubectl annotate/label, keyturn's own annotations).
import { readMetadataField, itemMatcher, listReply, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { patchTypeOf, readMetadataPatch } from './metadata-patch.js';
import { nodeRolesColumn } from './node-object.js';
import type { KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { badRequest, conflict, methodNotAllowed, notFound, unsupportedMediaType } from './status.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column, renderObject, type TableSpec } from './table.js';
import { watchReply } from './watch.js';

interface NodeShape {
  status?: {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
  };
  spec?: { unschedulable?: boolean };
}

const nodeTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of internal IPs in the cluster.', { priority: 1 }),
    column('External-IP', 'List of external IPs in the cluster.', { priority: 1 }),
    column('OS-Image', 'OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', {
      priority: 1,
    }),
    column('Kernel-Version', 'Kernel Version reported by the node.', { priority: 1 }),
    column('Container-Runtime', 'Container Runtime Version reported by the node.', { priority: 1 }),
  ],
  cells(object, now) {
    const node = object as KubeObject & NodeShape;
    const info = node.status?.nodeInfo ?? {};
    return [
      object.metadata.name,
      statusColumn(node),
      nodeRolesColumn(object.metadata.labels),
      ageCell(object, now),
      info.kubeletVersion ?? '',
      addressOf(node, 'InternalIP'),
      addressOf(node, 'ExternalIP'),
      info.osImage ?? '<unknown>',
      info.kernelVersion ?? '<unknown>',
      info.containerRuntimeVersion ?? '<unknown>',
    ];
  },
};

function statusColumn(node: NodeShape): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

function addressOf(node: NodeShape, type: string): string {
  const found = node.status?.addresses?.filter((a) => a.type === type).map((a) => a.address) ?? [];
  return found.length === 0 ? '<none>' : found.join(',');
}

export const nodeCollection: CollectionSpec = {
  apiVersion: 'v1',
  listKind: 'NodeList',
  table: nodeTable,
  fieldLabels: ['metadata.name', 'spec.unschedulable'],
  readField(item, field) {
    if (field === 'spec.unschedulable') return String((item as KubeObject & NodeShape).spec?.unschedulable ?? false);
    return readMetadataField(item, field);
  },
};

export async function handleNodes(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Promise<Reply> {
  if (path.namespace !== undefined) return fail(notFound('nodes', '', path.name ?? ''));
  if (path.subresource !== undefined) return fail(notFound('nodes', '', `${path.name}/${path.subresource}`));
  ctx.nodes.refresh();
  if (path.name === undefined) {
    if (req.method !== 'GET') return fail(methodNotAllowed(req.method, 'nodes'));
    if (req.query.get('watch') === 'true' || req.query.get('watch') === '1') return watchNodes(req, ctx);
    return listReply(req, nodeCollection, ctx.nodes.list(), ctx.clock.current);
  }
  switch (req.method) {
    case 'GET': {
      const node = ctx.nodes.get(path.name);
      return node ? json(renderObject(req.representation, nodeTable, node)) : fail(notFound('nodes', '', path.name));
    }
    case 'PATCH':
      return patchNode(req, path.name, ctx);
    default:
      return fail(methodNotAllowed(req.method, `nodes/${path.name}`));
  }
}

function watchNodes(req: ApiRequest, ctx: ApiContext): Reply {
  const matcher = itemMatcher(req, nodeCollection);
  if (!matcher.ok) return fail(badRequest(matcher.message));
  return watchReply({
    store: ctx.nodes,
    backend: ctx.backend,
    query: req.query,
    matches: matcher.value,
    render: (object) => renderObject(req.representation, nodeTable, object),
  });
}

async function patchNode(req: ApiRequest, name: string, ctx: ApiContext): Promise<Reply> {
  const patchType = patchTypeOf(req.contentType);
  if (patchType !== 'merge' && patchType !== 'strategic') return fail(unsupportedMediaType(req.contentType));
  const body = await req.readJson();
  if (!body.ok) return fail(body.status);
  const patch = readMetadataPatch(body.value);
  if (!patch.ok) return fail(badRequest(patch.message));
  const current = ctx.nodes.get(name);
  if (!current) return fail(notFound('nodes', '', name));
  // A resourceVersion in the patch is a precondition (kubectl annotate --resource-version).
  if (patch.value.resourceVersion !== undefined && patch.value.resourceVersion !== current.metadata.resourceVersion) {
    return fail(conflict('nodes', '', name));
  }
  const patched = ctx.nodes.patchMetadata(name, patch.value);
  return patched ? json(renderObject(req.representation, nodeTable, patched)) : fail(notFound('nodes', '', name));
}
