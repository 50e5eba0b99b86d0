// What the Kubernetes API says before any node is scanned: whether it is ready, and its node list. Apart from
// discover.ts so a session can ask while the rest of discovery (and the wizard's screen) is still loading.
// A refusal is not an outage: kube-apiserver completes the TLS handshake whatever client certificate is shown and
// answers 401 for credentials it does not know, 403 for a user RBAC does not allow; a CA that does not verify the
// server fails on our side of the handshake. Each is told apart, in one line naming the kubeconfig and the fix.
import type { ApiProblem, StatusReport } from '../model/status.js';
import type { ApiFailure, KubeGateway, KubeNode } from '../transports/types.js';

export interface ApiView {
  configured: boolean;
  ready: boolean;
  detail: string;
  nodes: KubeNode[] | null;
  /** Why the API could not be read (null when it could). */
  problem: ApiProblem | null;
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
    case 'forbidden':
      return `${f.kind} (HTTP ${f.status}): ${f.detail}`;
    case 'error':
      return `error${f.status !== null ? ` (HTTP ${f.status})` : ''}: ${f.detail}`;
  }
}

/** The kubeconfig was refused (credentials or trust): bad input, not a cluster that is down. */
export function refusesKubeconfig(problem: ApiProblem | null | undefined): boolean {
  return problem?.kind === 'tls' || problem?.kind === 'unauthorized' || problem?.kind === 'forbidden';
}

/** The one line `status` prints (and exits 2 with) when the API refused the kubeconfig; null when it did not. */
export function kubeconfigRefusalLine(problem: ApiProblem | null | undefined): string | null {
  return problem && refusesKubeconfig(problem) ? `keyturn: ${problem.message}` : null;
}

/**
 * For `plan` and `run`: the API refused the kubeconfig and no node was reached any other way (no inventory, or none
 * of its nodes answered), so there is nothing to plan — and the cause is the kubeconfig, not "no reachable node".
 * The same line as `status`, exit 2. With a node reached (an inventory), the plan goes on without the API.
 */
export function nothingReachedButRefused(report: Pick<StatusReport, 'cluster' | 'nodes'>): string | null {
  return report.nodes.some((n) => n.reachable) ? null : kubeconfigRefusalLine(report.cluster.apiProblem);
}

const FRESH_KUBECONFIG =
  'copy a current admin kubeconfig from a server (/etc/rancher/rke2/rke2.yaml, or /etc/rancher/k3s/k3s.yaml; replace 127.0.0.1 with its address)';

/** One line: what the API answered, which kubeconfig/context/user it was, and the fix. */
export function explainApiFailure(f: ApiFailure, gateway: Pick<KubeGateway, 'server' | 'access'>): ApiProblem {
  const a = gateway.access;
  const where = a ? `kubeconfig ${a.kubeconfig}, context "${a.context}"` : `the kubeconfig`;
  const user = a?.user ? `user "${a.user}"` : 'the user';
  const server = gateway.server;
  switch (f.kind) {
    case 'unreachable':
      return {
        kind: 'unreachable',
        message: `the API server ${server} is not reachable (${f.detail}; ${where}): check that a server is up and the address is right, or pass --inventory to reach the nodes over SSH`,
      };
    case 'tls':
      if (/CERT_HAS_EXPIRED/.test(f.detail)) {
        return {
          kind: 'tls',
          message: `the API server ${server} shows an expired serving certificate (${f.detail}; ${where}): renew the servers' certificates (keyturn --inventory FILE, recipe renew-expired-certs)`,
        };
      }
      return {
        kind: 'tls',
        message: `the API server ${server} is not verified by the CA in ${where} (${f.detail}): the certificate-authority-data is not this cluster's (another cluster, or the CA was rotated) — ${FRESH_KUBECONFIG}`,
      };
    case 'unauthorized':
      return {
        kind: 'unauthorized',
        message: `the API server ${server} refused the credentials of ${user} (HTTP 401 Unauthorized; ${where}): the client certificate or token is expired, revoked or from another cluster — ${FRESH_KUBECONFIG}`,
      };
    case 'forbidden':
      return {
        kind: 'forbidden',
        message: `the API server ${server} knows ${user} but does not allow it (HTTP 403: ${f.detail}; ${where}): use an admin kubeconfig (group system:masters) — ${FRESH_KUBECONFIG}`,
      };
    case 'unavailable':
      return { kind: 'unavailable', message: `${server}: ${describeApiFailure(f)}` };
    case 'not-found':
    case 'conflict':
    case 'error':
      return { kind: 'error', message: `${server}: ${describeApiFailure(f)}` };
  }
}

export async function readApi(gateway: KubeGateway | null): Promise<ApiView> {
  if (!gateway) return { configured: false, ready: false, detail: 'no kubeconfig', nodes: null, problem: null };
  const [readyz, nodes] = await Promise.all([gateway.readyz(), gateway.listNodes()]);
  // RBAC lets every authenticated user read /readyz: a user that may not list nodes shows only in the node list.
  const nodesRefused =
    !nodes.ok && (nodes.failure.kind === 'unauthorized' || nodes.failure.kind === 'forbidden') ? nodes.failure : null;
  const failure = !readyz.ok ? readyz.failure : nodesRefused;
  const problem = failure ? explainApiFailure(failure, gateway) : null;
  return {
    configured: true,
    ready: failure === null,
    detail: problem ? problem.message : gateway.server,
    nodes: nodes.ok ? nodes.value : null,
    problem,
  };
}
