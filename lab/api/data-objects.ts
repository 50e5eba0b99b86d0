// The REST verbs of a kind kept in a DataObjectStore (ConfigMaps, client-created Secrets): create, get, update,
// patch, delete; lists merge in what the lab itself serves (its read-only secrets).
import { listReply, type CollectionSpec } from './collection.js';
import type { ApiContext, ResourcePath } from './context.js';
import type { DataObjectStore, DataResult } from './data-store.js';
import { patchTypeOf } from './metadata-patch.js';
import type { KubeObject } from './objects.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { methodNotAllowed, notFound, unsupportedMediaType } from './status.js';
import { renderObject } from './table.js';

export interface DataKindRoutes {
  resource: string;
  collection: CollectionSpec;
  store: (ctx: ApiContext) => DataObjectStore;
  /** Objects the lab serves that clients cannot change (listed before the stored ones, by namespace and name). */
  fixed?: (ctx: ApiContext, namespace: string | undefined) => KubeObject[];
}

export async function handleDataObjects(
  routes: DataKindRoutes,
  req: ApiRequest,
  path: ResourcePath,
  ctx: ApiContext,
): Promise<Reply> {
  const { namespace, name } = path;
  const store = routes.store(ctx);
  const fixed = routes.fixed?.(ctx, namespace) ?? [];
  if (name === undefined) {
    switch (req.method) {
      case 'GET': {
        const items = [...fixed, ...store.list(namespace)].sort(byNamespaceThenName);
        return listReply(req, routes.collection, items, ctx.clock.current);
      }
      case 'POST': {
        if (namespace === undefined) return fail(methodNotAllowed('POST', `${routes.resource} without a namespace`));
        const body = await req.readJson();
        if (!body.ok) return fail(body.status);
        return answer(req, routes, store.create(namespace, body.value), 201);
      }
      default:
        return fail(methodNotAllowed(req.method, routes.resource));
    }
  }
  const fixedOne = fixed.find((o) => o.metadata.name === name);
  if (fixedOne) {
    if (req.method === 'GET') return json(renderObject(req.representation, routes.collection.table, fixedOne));
    return fail(methodNotAllowed(req.method, `${routes.resource}/${name} (served by the lab, read-only)`));
  }
  if (namespace === undefined) return fail(notFound(routes.resource, '', name));
  switch (req.method) {
    case 'GET': {
      const found = store.get(namespace, name);
      return found
        ? json(renderObject(req.representation, routes.collection.table, found))
        : fail(notFound(routes.resource, '', name));
    }
    case 'PUT': {
      const body = await req.readJson();
      if (!body.ok) return fail(body.status);
      return answer(req, routes, store.update(namespace, name, body.value), 200);
    }
    case 'PATCH': {
      const patchType = patchTypeOf(req.contentType);
      if (patchType !== 'merge' && patchType !== 'strategic') return fail(unsupportedMediaType(req.contentType));
      const body = await req.readJson();
      if (!body.ok) return fail(body.status);
      return answer(req, routes, store.patch(namespace, name, body.value), 200);
    }
    case 'DELETE': {
      const result = store.delete(namespace, name);
      return result.ok ? json(result.object) : fail(result.status);
    }
    default:
      return fail(methodNotAllowed(req.method, `${routes.resource}/${name}`));
  }
}

function answer(req: ApiRequest, routes: DataKindRoutes, result: DataResult, code: number): Reply {
  return result.ok
    ? json(renderObject(req.representation, routes.collection.table, result.object), code)
    : fail(result.status);
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
