// What the Kubernetes API says before any node is scanned: whether it is ready, and its node list. Apart from
// discover.ts so a session can ask while the rest of discovery (and the wizard's screen) is still loading.
import type { ApiFailure, KubeGateway, KubeNode } from '../transports/types.js';

export interface ApiView {
  configured: boolean;
  ready: boolean;
  detail: string;
  nodes: KubeNode[] | null;
}

export function describeApiFailure(f: ApiFailure): string {
  switch (f.kind) {
    case 'unreachable':
    case 'tls':
    case 'not-found':
    case 'conflict':
      return `${f.kind}: ${f.detail}`;
    case 'unavailable':
    case 'unauthorized':
      return `${f.kind} (HTTP ${f.status}): ${f.detail}`;
    case 'error':
      return `error${f.status !== null ? ` (HTTP ${f.status})` : ''}: ${f.detail}`;
  }
}

export async function readApi(gateway: KubeGateway | null): Promise<ApiView> {
  if (!gateway) return { configured: false, ready: false, detail: 'no kubeconfig', nodes: null };
  const [readyz, nodes] = await Promise.all([gateway.readyz(), gateway.listNodes()]);
  return {
    configured: true,
    ready: readyz.ok,
    detail: readyz.ok ? gateway.server : `${gateway.server}: ${describeApiFailure(readyz.failure)}`,
    nodes: nodes.ok ? nodes.value : null,
  };
}
