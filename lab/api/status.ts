// metav1.Status objects: how a real apiserver reports every failure, and what kubectl/client-go parse into
// "Error from server (Reason): message". Expected failures travel as these values, never as exceptions.

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'ServiceUnavailable'
  | 'Gone'
  | 'Expired'
  | 'InternalError'
  | 'Unauthorized'
  | 'Forbidden';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
}

export interface FailureStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
}

export function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): FailureStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `nodes "x" not found`, `leases.coordination.k8s.io "x" not found`: resource names as the apiserver spells them. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): FailureStatus {
  return failure(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): FailureStatus {
  return failure(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function conflict(resource: string, group: string, name: string): FailureStatus {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    { name, group: group || undefined, kind: resource },
  );
}

export function invalid(kind: string, group: string, name: string, cause: string): FailureStatus {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return failure(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${cause}`, {
    name,
    group: group || undefined,
    kind,
  });
}

export function badRequest(message: string): FailureStatus {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(method: string, what: string): FailureStatus {
  return failure(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${what})`,
  );
}

/** The lab accepts merge and strategic merge patches only (JSON patch and server-side apply are not served). */
export function unsupportedMediaType(contentType: string): FailureStatus {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ` +
      `application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'no content type'})`,
  );
}

/** What a real apiserver answers while its datastore is gone; the message carries the lab's reason. */
export function serviceUnavailable(reason: string): FailureStatus {
  return failure(503, 'ServiceUnavailable', `the server is currently unable to handle the request: ${reason}`);
}

/** A watch from a resourceVersion older than the server remembers. */
export function expired(resourceVersion: string, oldest: string): FailureStatus {
  return failure(410, 'Expired', `too old resource version: ${resourceVersion} (${oldest})`);
}

/** The page not found answer for paths outside the API. */
export function pathNotFound(): FailureStatus {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}
