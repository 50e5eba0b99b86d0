// The OpenAPI v3 documents `kubectl apply` reads (kube-openapi spec3 as the apiserver serves it): /openapi/v3 lists
// one document per group-version with a hash-pinned URL, and /openapi/v3/api/v1 describes the core kinds a client
// may write here. kubectl needs two things from it (k8s.io/cli-runtime resource/query_param_verifier_v3.go and
// kubectl apply/patcher.go): a PATCH operation tagged with the kind's x-kubernetes-group-version-kind and a
// `fieldValidation` query parameter, so it leaves field validation to the server instead of downloading schemas
// (without any document it stops with "failed to download openapi"); and the PATCH request body's media types.
// Strategic merge patch is not listed (the lab applies one as a JSON merge patch, which is the same for these
// kinds), so kubectl computes its apply patch from its compiled-in types. /openapi/v2 is protobuf-first and is not
// served: kubectl falls back from it to v3 and from v3 to nothing, never the other way.
import { createHash } from 'node:crypto';
import type { ApiContext } from './context.js';
import { fail, json, type Reply } from './reply.js';
import { pathNotFound } from './status.js';

interface WritableKind {
  kind: 'ConfigMap' | 'Secret';
  plural: string;
}

const WRITABLE: WritableKind[] = [
  { kind: 'ConfigMap', plural: 'configmaps' },
  { kind: 'Secret', plural: 'secrets' },
];

const queryParam = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});
const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  queryParam(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
  ),
];
const NAMESPACE_PARAM = {
  name: 'namespace',
  in: 'path',
  description: 'object name and auth scope, such as for teams and projects',
  required: true,
  schema: { type: 'string', uniqueItems: true },
};
const NAME_PARAM = (kind: string) => ({
  name: 'name',
  in: 'path',
  description: `name of the ${kind}`,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

function schemaRef(kind: string): { $ref: string } {
  return { $ref: `#/components/schemas/io.k8s.api.core.v1.${kind}` };
}

function operation(
  action: string,
  verb: string,
  kind: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    operationId: `${verb}CoreV1Namespaced${kind}`,
    tags: ['core_v1'],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind },
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: schemaRef(kind) } } } },
    ...extra,
  };
}

function body(kind: string, mediaTypes: string[]): Record<string, unknown> {
  return {
    requestBody: {
      required: true,
      content: Object.fromEntries(
        mediaTypes.map((m) => [m, { schema: m === 'application/json' ? schemaRef(kind) : { type: 'object' } }]),
      ),
    },
  };
}

function coreV1Document(ctx: ApiContext): object {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const { kind, plural } of WRITABLE) {
    paths[`/api/v1/namespaces/{namespace}/${plural}`] = {
      get: operation('list', 'list', kind),
      post: operation('post', 'create', kind, { parameters: WRITE_PARAMS, ...body(kind, ['application/json']) }),
      parameters: [NAMESPACE_PARAM],
    };
    paths[`/api/v1/namespaces/{namespace}/${plural}/{name}`] = {
      get: operation('get', 'read', kind),
      put: operation('put', 'replace', kind, { parameters: WRITE_PARAMS, ...body(kind, ['application/json']) }),
      patch: operation('patch', 'patch', kind, {
        parameters: [...WRITE_PARAMS, queryParam('force', 'Force is going to "force" Apply requests.')],
        ...body(kind, ['application/json-patch+json', 'application/merge-patch+json']),
      }),
      delete: operation('delete', 'delete', kind),
      parameters: [NAME_PARAM(kind), NAMESPACE_PARAM],
    };
    schemas[`io.k8s.api.core.v1.${kind}`] = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        data: {
          type: 'object',
          additionalProperties: { type: 'string', ...(kind === 'Secret' ? { format: 'byte' } : {}) },
        },
        ...(kind === 'Secret'
          ? { stringData: { type: 'object', additionalProperties: { type: 'string' } }, type: { type: 'string' } }
          : { binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } } }),
        immutable: { type: 'boolean' },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind, version: 'v1' }],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: String(ctx.backend.nodes()[0]?.version ?? 'v0.0.0') },
    paths,
    components: { schemas },
  };
}

/** GET /openapi/v3 and /openapi/v3/api/v1 (any ?hash= is accepted: the document is rebuilt the same each time). */
export function openApiReply(rest: string[], ctx: ApiContext): Reply {
  if (rest[0] !== 'v3') return fail(pathNotFound());
  const doc = coreV1Document(ctx);
  if (rest.length === 1) {
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase().slice(0, 128);
    return json({ paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${hash}` } } });
  }
  if (rest.length === 3 && rest[1] === 'api' && rest[2] === 'v1') return json(doc);
  return fail(pathNotFound());
}
