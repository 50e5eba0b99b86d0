// Authentication and authorization as kube-apiserver does them for the lab's one kind of credential, a client
// certificate. The TLS handshake only REQUESTS a certificate (apiserver secure_serving.go: tls.RequestClientCert),
// so a missing, unknown-CA or expired certificate, or a bearer token nobody issued, reaches HTTP and is answered
// 401 Unauthorized — anonymous auth is off on RKE2/K3s (k3s pkg/daemons/control/server.go: anonymous-auth=false).
// A verified certificate is the user CN in the groups O; RBAC grants system:masters everything and every
// authenticated user the discovery and health documents (system:discovery, system:public-info-viewer); anything
// else is 403 Forbidden with RBAC's message.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { failure, qualifiedResource, type FailureStatus } from './status.js';

export interface LabUser {
  name: string;
  groups: string[];
}

/** The user of a request, or null (401): only a certificate the client CA verifies identifies one. */
export function authenticate(req: IncomingMessage): LabUser | null {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return null;
  const cert = socket.getPeerCertificate?.();
  if (!cert || !cert.subject) return null;
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const name = asList(subject.CN)[0];
  return name ? { name, groups: asList(subject.O) } : null;
}

export function unauthorized(): FailureStatus {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

const NON_RESOURCE_ROOTS = new Set(['version', 'healthz', 'readyz', 'livez', 'openapi']);

/** RBAC's verb for a resource request. */
function verbOf(method: string, named: boolean, watching: boolean): string {
  if (watching) return 'watch';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** The 403 for a user RBAC does not allow this request, else null. */
export function forbidden(
  user: LabUser,
  method: string,
  segments: string[],
  query: URLSearchParams,
): FailureStatus | null {
  if (user.groups.includes('system:masters')) return null;
  const [first, ...rest] = segments;
  // Discovery documents and health: every authenticated user may read them.
  if (first === undefined || NON_RESOURCE_ROOTS.has(first)) return null;
  const group = first === 'api' ? '' : rest[0];
  const parts = first === 'api' ? rest.slice(1) : rest.slice(2);
  if (parts.length === 0) return null;
  const namespaced = parts[0] === 'namespaces' && parts.length >= 3;
  const namespace = namespaced ? parts[1] : undefined;
  const [resource, name] = namespaced ? parts.slice(2) : parts;
  const watching = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb = verbOf(method, name !== undefined, watching);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const what =
    name !== undefined
      ? `${qualifiedResource(resource, group ?? '')} "${name}"`
      : qualifiedResource(resource, group ?? '');
  return failure(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user.name}" cannot ${verb} resource "${resource}" in API group "${group ?? ''}" ${scope}`,
    {
      ...(name !== undefined ? { name } : {}),
      group: group || undefined,
      kind: resource,
    },
  );
}
