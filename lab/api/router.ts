// Maps a request path onto discovery, health or a resource handler.
import type { ApiContext, ResourcePath } from './context.js';
import {
  apiGroupList,
  apiVersions,
  coreResourceList,
  leaseGroup,
  leaseResourceList,
  versionInfo,
} from './discovery.js';
import { handleConfigMaps } from './configmaps.js';
import { handleEvents } from './events.js';
import { healthReply, type HealthEndpoint } from './health.js';
import { openApiReply } from './openapi.js';
import { LEASE_GROUP } from './lease-store.js';
import { handleLeases } from './leases.js';
import { handleNamespaces } from './namespaces.js';
import { handleNodes } from './nodes.js';
import { handlePods } from './pods.js';
import type { ApiRequest } from './request.js';
import { fail, json, type Reply } from './reply.js';
import { methodNotAllowed, pathNotFound, serviceUnavailable } from './status.js';
import { handleSecrets } from './secrets.js';

type ResourceHandler = (req: ApiRequest, path: ResourcePath, ctx: ApiContext) => Reply | Promise<Reply>;

const HANDLERS: Record<string, ResourceHandler> = {
  '/nodes': handleNodes,
  '/events': handleEvents,
  '/secrets': handleSecrets,
  '/configmaps': handleConfigMaps,
  '/namespaces': handleNamespaces,
  '/pods': handlePods,
  [`${LEASE_GROUP}/leases`]: handleLeases,
};

/** Only nodes stream changes; for the rest a watch is refused instead of silently answering a list. */
const WATCHABLE = new Set(['/nodes']);

const HEALTH_ENDPOINTS = new Set<string>(['livez', 'readyz', 'healthz']);

export async function route(req: ApiRequest, ctx: ApiContext): Promise<Reply> {
  const [first, ...rest] = req.segments;
  const unavailable = ctx.backend.unavailableReason();
  if (first !== undefined && HEALTH_ENDPOINTS.has(first) && rest.length <= 1) {
    return healthReply(first as HealthEndpoint, rest[0], req, unavailable);
  }
  // Everything that needs the datastore fails while it is gone. Discovery documents do not (a real apiserver serves
  // them from memory), and serving them is what lets kubectl reach the resource request and print our reason
  // instead of a bare "couldn't get current server API group list".
  if (unavailable !== null && !isDiscoveryDocument(req.segments)) return fail(serviceUnavailable(unavailable));
  if (first === 'version' && rest.length === 0) return json(versionInfo(ctx));
  if (first === 'openapi') return openApiReply(rest, ctx);
  if (first === 'api') return routeCore(req, rest, ctx);
  if (first === 'apis') return routeGroups(req, rest, ctx);
  return fail(pathNotFound());
}

function routeCore(req: ApiRequest, rest: string[], ctx: ApiContext): Promise<Reply> | Reply {
  if (rest.length === 0) return json(apiVersions(ctx));
  if (rest[0] !== 'v1') return fail(pathNotFound());
  if (rest.length === 1) return json(coreResourceList());
  return routeResource(req, '', rest.slice(1), ctx);
}

function routeGroups(req: ApiRequest, rest: string[], ctx: ApiContext): Promise<Reply> | Reply {
  if (rest.length === 0) return json(apiGroupList());
  if (rest[0] !== LEASE_GROUP) return fail(pathNotFound());
  if (rest.length === 1) return json(leaseGroup());
  if (rest[1] !== 'v1') return fail(pathNotFound());
  if (rest.length === 2) return json(leaseResourceList());
  return routeResource(req, LEASE_GROUP, rest.slice(2), ctx);
}

/** /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}, and the OpenAPI documents (also from memory). */
function isDiscoveryDocument(segments: string[]): boolean {
  const [first, ...rest] = segments;
  return (first === 'api' && rest.length <= 1) || (first === 'apis' && rest.length <= 2) || first === 'openapi';
}

/** [namespaces, ns, resource, name?, sub?] or [resource, name?, sub?]; `namespaces[/name]` is itself a resource. */
export function parseResourcePath(group: string, parts: string[]): ResourcePath | undefined {
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const [, namespace, resource, name, subresource, ...extra] = parts;
    if (extra.length > 0) return undefined;
    return { group, resource, namespace, name, subresource };
  }
  const [resource, name, subresource, ...extra] = parts;
  if (extra.length > 0 || resource === undefined) return undefined;
  return { group, resource, name, subresource };
}

async function routeResource(req: ApiRequest, group: string, parts: string[], ctx: ApiContext): Promise<Reply> {
  const path = parseResourcePath(group, parts);
  if (!path) return fail(pathNotFound());
  const handlerKey = `${path.group}/${path.resource}`;
  const handler = HANDLERS[handlerKey];
  if (!handler) return fail(pathNotFound());
  const watching = req.query.get('watch') === 'true' || req.query.get('watch') === '1';
  if (watching && !WATCHABLE.has(handlerKey)) return fail(methodNotAllowed('WATCH', path.resource));
  if (path.resource !== 'nodes' && path.subresource !== undefined) return fail(pathNotFound());
  return handler(req, path, ctx);
}
