// The Kubernetes API port. Bad kubeconfig input throws a one-line UsageError before any request; a cluster that
// does not answer, refuses us or fails TLS is reported as an ApiResult failure, never thrown.
// @kubernetes/client-node is heavy, so it is imported only when a gateway is actually built.
import type * as K8s from '@kubernetes/client-node';
import { inputError } from '../errors.js';
import { loadKubeconfig, type LoadedKubeconfig } from './kube-config.js';
import { failureFromError } from './kube-failure.js';
import { toKubeEvent, toKubeLease, toKubeNode } from './kube-mapping.js';
import { getRawText, requestText } from './kube-raw.js';
import { lightRequestOptions } from './kube-light.js';
import type { ApiResult, KubeconfigAccess, KubeGateway, KubeLease } from './types.js';

export interface KubeGatewayOptions {
  kubeconfig?: string;
  context?: string;
  /** Per request; short, because a dead apiserver should not stall a status scan. */
  timeoutMs?: number;
  /** Already read and checked (kube-config.ts), so that bad input is told before the client loads. */
  loaded?: LoadedKubeconfig;
}

const DEFAULT_TIMEOUT_MS = 3_000;
const SECRET_PAGE_SIZE = 500;

/** Node lists of large clusters run to megabytes. */
const NODE_LIST_MAX_BYTES = 64 << 20;

/**
 * The gateway for the kubeconfig. With plain credentials (client certificate, token) /readyz and the node list go
 * over node:https directly (kube-light.ts) and the Kubernetes client is loaded only on the first other call (leases,
 * events, patches): a status scan never loads it.
 */
export async function loadKubeGateway(opts: KubeGatewayOptions): Promise<KubeGateway> {
  const loaded = opts.loaded ?? loadKubeconfig({ kubeconfig: opts.kubeconfig, context: opts.context });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const light = lightRequestOptions(loaded);
  if (!light) return loadClientGateway(loaded, timeoutMs);
  let client: Promise<KubeGateway> | null = null;
  const viaClient = async <T>(call: (g: KubeGateway) => Promise<ApiResult<T>>): Promise<ApiResult<T>> => {
    try {
      return await call(await (client ??= loadClientGateway(loaded, timeoutMs)));
    } catch (error) {
      return { ok: false, failure: failureFromError(error, timeoutMs) };
    }
  };
  return {
    server: loaded.server,
    access: accessOf(loaded),
    readyz: () => requestText(light, loaded.server, '/readyz', timeoutMs),
    listNodes: async () => {
      const r = await requestText(light, loaded.server, '/api/v1/nodes', timeoutMs, NODE_LIST_MAX_BYTES);
      if (!r.ok) return r;
      try {
        const items = (JSON.parse(r.value) as { items?: unknown }).items;
        return { ok: true, value: (Array.isArray(items) ? (items as K8s.V1Node[]) : []).map(toKubeNode) };
      } catch {
        return { ok: false, failure: { kind: 'error', status: null, detail: 'the node list is not JSON' } };
      }
    },
    getNode: (name) => viaClient((g) => g.getNode(name)),
    patchNodeAnnotations: (name, annotations) => viaClient((g) => g.patchNodeAnnotations(name, annotations)),
    listEvents: (options) => viaClient((g) => g.listEvents(options)),
    countSecrets: () => viaClient((g) => g.countSecrets()),
    getLease: (namespace, name) => viaClient((g) => g.getLease(namespace, name)),
    createLease: (lease) => viaClient((g) => g.createLease(lease)),
    updateLease: (lease) => viaClient((g) => g.updateLease(lease)),
    deleteLease: (namespace, name) => viaClient((g) => g.deleteLease(namespace, name)),
  };
}

/** Which kubeconfig, context and user the requests authenticate as. */
function accessOf(loaded: LoadedKubeconfig): KubeconfigAccess {
  const context = loaded.document.contexts.find((c) => c.name === loaded.contextName)?.context as
    { user?: unknown } | undefined;
  return {
    kubeconfig: loaded.files.join(':'),
    context: loaded.contextName,
    user: typeof context?.user === 'string' ? context.user : null,
  };
}

/** Every call through @kubernetes/client-node (loaded here). */
async function loadClientGateway(loaded: LoadedKubeconfig, timeoutMs: number): Promise<KubeGateway> {
  const k8s = await import('@kubernetes/client-node');
  const kc = buildKubeConfig(k8s, loaded);

  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(loaded.server, {}),
    authMethods: { default: kc },
    // A fresh deadline per request: client-node has no timeout option of its own.
    promiseMiddleware: [
      {
        pre: async (request) => {
          request.setSignal(AbortSignal.timeout(timeoutMs));
          return request;
        },
        post: async (response) => response,
      },
    ],
  });
  const core = new k8s.CoreV1Api(config);
  const coordination = new k8s.CoordinationV1Api(config);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  const attempt = async <T>(call: () => Promise<T>): Promise<ApiResult<T>> => {
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      return { ok: false, failure: failureFromError(error, timeoutMs) };
    }
  };

  const leaseBody = (lease: Omit<KubeLease, 'resourceVersion'> & { resourceVersion?: string }): K8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: lease.name,
      namespace: lease.namespace,
      ...(lease.resourceVersion ? { resourceVersion: lease.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: lease.holderIdentity ?? undefined,
      leaseDurationSeconds: lease.leaseDurationSeconds ?? undefined,
      // MicroTime serialises with the six fractional digits the apiserver insists on.
      acquireTime: lease.acquireTime ? new k8s.V1MicroTime(lease.acquireTime) : undefined,
      renewTime: lease.renewTime ? new k8s.V1MicroTime(lease.renewTime) : undefined,
    },
  });

  return {
    server: loaded.server,
    access: accessOf(loaded),
    readyz: () => getRawText(kc, loaded.server, '/readyz', timeoutMs),
    listNodes: () => attempt(async () => (await core.listNode({})).items.map(toKubeNode)),
    getNode: (name) => attempt(async () => toKubeNode(await core.readNode({ name }))),
    patchNodeAnnotations: (name, annotations) =>
      attempt(async () => toKubeNode(await core.patchNode({ name, body: { metadata: { annotations } } }, mergePatch))),
    listEvents: (options = {}) =>
      attempt(async () => {
        const { namespace, fieldSelector } = options;
        const list = namespace
          ? await core.listNamespacedEvent({ namespace, fieldSelector })
          : await core.listEventForAllNamespaces({ fieldSelector });
        return list.items.map(toKubeEvent);
      }),
    countSecrets: () => attempt(() => countSecrets(core)),
    getLease: (namespace, name) =>
      attempt(async () => toKubeLease(await coordination.readNamespacedLease({ namespace, name }))),
    createLease: (lease) =>
      attempt(async () =>
        toKubeLease(await coordination.createNamespacedLease({ namespace: lease.namespace, body: leaseBody(lease) })),
      ),
    updateLease: (lease) =>
      attempt(async () =>
        toKubeLease(
          await coordination.replaceNamespacedLease({
            namespace: lease.namespace,
            name: lease.name,
            body: leaseBody(lease),
          }),
        ),
      ),
    deleteLease: (namespace, name) =>
      attempt(async () => {
        await coordination.deleteNamespacedLease({ namespace, name });
      }),
  };
}

function buildKubeConfig(k8s: typeof K8s, loaded: LoadedKubeconfig): K8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(loaded.document));
    kc.setCurrentContext(loaded.contextName);
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    throw inputError(
      loaded.files.join(':'),
      `not a usable kubeconfig (${reason})`,
      'fix the file or fetch a fresh kubeconfig',
    );
  }
  return kc;
}

/** One cheap request (limit=1 + remainingItemCount); page through only when the server does not say. */
async function countSecrets(core: K8s.CoreV1Api): Promise<number> {
  const first = await core.listSecretForAllNamespaces({ limit: 1 });
  const remaining = first.metadata?.remainingItemCount;
  if (typeof remaining === 'number') return first.items.length + remaining;
  let count = first.items.length;
  let next = first.metadata?._continue;
  while (next) {
    const page = await core.listSecretForAllNamespaces({ limit: SECRET_PAGE_SIZE, _continue: next });
    count += page.items.length;
    next = page.metadata?._continue;
  }
  return count;
}
