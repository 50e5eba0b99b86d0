// /livez, /readyz, /healthz: the apiserver's check lists. With the datastore gone, the etcd checks fail with
// "reason withheld" (details go to the server log only), exactly as a real apiserver prints them.
import type { ApiRequest } from './request.js';
import { text, type Reply } from './reply.js';

export type HealthEndpoint = 'livez' | 'readyz' | 'healthz';

const CHECKS: Record<HealthEndpoint, string[]> = {
  livez: [
    'ping',
    'log',
    'poststarthook/start-apiserver-admission-initializer',
    'poststarthook/generic-apiserver-start-informers',
  ],
  readyz: [
    'ping',
    'log',
    'etcd',
    'etcd-readiness',
    'informer-sync',
    'poststarthook/start-apiserver-admission-initializer',
    'shutdown',
  ],
  healthz: ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer'],
};

/** Checks that depend on the datastore; livez deliberately has none, so a dead etcd does not restart the apiserver. */
const DATASTORE_CHECKS = new Set(['etcd', 'etcd-readiness', 'informer-sync']);

export function healthReply(
  endpoint: HealthEndpoint,
  check: string | undefined,
  req: ApiRequest,
  unavailableReason: string | null,
): Reply {
  const checks = CHECKS[endpoint];
  const failing = (name: string) => unavailableReason !== null && DATASTORE_CHECKS.has(name);
  if (check !== undefined) {
    if (!checks.includes(check)) return text('404 page not found\n', 404);
    return failing(check) ? text('internal server error: reason withheld\n', 503) : text('ok');
  }
  const excluded = new Set(req.query.getAll('exclude'));
  const considered = checks.filter((name) => !excluded.has(name));
  const anyFailing = considered.some(failing);
  const verbose = req.query.has('verbose');
  if (!anyFailing && !verbose) return text('ok');
  const lines = checks.map((name) => {
    if (excluded.has(name)) return `[+]${name} excluded: ok`;
    return failing(name) ? `[-]${name} failed: reason withheld` : `[+]${name} ok`;
  });
  const verdict = anyFailing ? `${endpoint} check failed` : `${endpoint} check passed`;
  return text(`${lines.join('\n')}\n${verdict}\n`, anyFailing ? 503 : 200);
}
