// /apis/coordination.k8s.io/v1/[namespaces/{ns}/]leases[/{name}]: list, get, create, update, patch, delete.
import { listReply, readMetadataField, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import { LEASE_GROUP, type LeaseResult } from './lease-store.js';
import { patchTypeOf } from './metadata-patch.js';
import type { KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { methodNotAllowed, notFound, unsupportedMediaType } from './status.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column, renderObject, type TableSpec } from './table.js';

const leaseTable: TableSpec = {
  columns: [NAME_COLUMN, column('Holder', 'The holder of the lease'), AGE_COLUMN],
  cells: (object, now) => [
    object.metadata.name,
    String((object.spec as { holderIdentity?: string }).holderIdentity ?? ''),
    ageCell(object, now),
  ],
};

const leaseCollection: CollectionSpec = {
  apiVersion: `${LEASE_GROUP}/v1`,
  listKind: 'LeaseList',
  table: leaseTable,
  fieldLabels: ['metadata.name', 'metadata.namespace'],
  readField: readMetadataField,
};

export async function handleLeases(req: ApiRequest, path: ResourcePath, ctx: ApiContext): Promise<Reply> {
  const { namespace, name } = path;
  if (name === undefined) {
    switch (req.method) {
      case 'GET':
        return listReply(req, leaseCollection, ctx.leases.list(namespace), ctx.clock.current);
      case 'POST': {
        if (namespace === undefined) return fail(methodNotAllowed('POST', 'leases without a namespace'));
        const body = await req.readJson();
        if (!body.ok) return fail(body.status);
        return answer(req, ctx.leases.create(namespace, body.value), 201);
      }
      default:
        return fail(methodNotAllowed(req.method, 'leases'));
    }
  }
  if (namespace === undefined) return fail(notFound('leases', LEASE_GROUP, name));
  switch (req.method) {
    case 'GET': {
      const lease = ctx.leases.get(namespace, name);
      return lease
        ? json(renderObject(req.representation, leaseTable, lease))
        : fail(notFound('leases', LEASE_GROUP, name));
    }
    case 'PUT': {
      const body = await req.readJson();
      if (!body.ok) return fail(body.status);
      return answer(req, ctx.leases.update(namespace, name, body.value), 200);
    }
    case 'PATCH': {
      const patchType = patchTypeOf(req.contentType);
      if (patchType !== 'merge' && patchType !== 'strategic') return fail(unsupportedMediaType(req.contentType));
      const body = await req.readJson();
      if (!body.ok) return fail(body.status);
      return answer(req, ctx.leases.patch(namespace, name, body.value), 200);
    }
    case 'DELETE': {
      const result = ctx.leases.delete(namespace, name);
      return result.ok ? json(deletedStatus(result.lease)) : fail(result.status);
    }
    default:
      return fail(methodNotAllowed(req.method, `leases/${name}`));
  }
}

function answer(req: ApiRequest, result: LeaseResult, code: number): Reply {
  return result.ok ? json(renderObject(req.representation, leaseTable, result.lease), code) : fail(result.status);
}

/** What the apiserver answers for a deleted object of a kind that does not return the object itself. */
function deletedStatus(lease: KubeObject): object {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: lease.metadata.name, group: LEASE_GROUP, kind: 'leases', uid: lease.metadata.uid },
  };
}
