// The ports through which everything else reaches the world. Only src/transports implements them.

/** How a command ended. Expected failures are values, not exceptions. */
export type ExecOutcome =
  | 'ok' // exit 0
  | 'exit' // the command ran and exited non-zero
  | 'command-missing' // 127: the program is not on the node's PATH
  | 'connection' // 255 from ssh, or the local shell could not start: the node was not reached
  | 'timeout' // our timeout fired; the process was ended
  | 'aborted'; // the caller's AbortSignal fired

export interface ExecResult {
  node: string;
  /** The script as given (never contains secrets: callers pass commands, not key material). */
  script: string;
  outcome: ExecOutcome;
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  stdin?: string;
  /**
   * The caller runs this command alone, not as one of many (a status scan): the transport should not set up
   * anything for later commands (over ssh: it rides a master that is already up, else connects for itself only).
   */
  oneShot?: boolean;
}

export interface FollowOptions {
  signal: AbortSignal;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface NodeShell {
  readonly node: string;
  /** Runs a POSIX sh script (the caller quotes every value with shq) with the node's env, sudo as configured. */
  run(script: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs a long-lived command (journalctl -f) line by line until the signal fires; then the remote process is
   * ended on the node itself, because killing a local ssh does not stop it.
   */
  follow(script: string, options: FollowOptions): Promise<ExecResult>;
  dispose(): Promise<void>;
}

// ---- Kubernetes API ----

export type ApiFailure =
  | { kind: 'unreachable'; detail: string } // refused, timeout, DNS
  | { kind: 'unavailable'; status: number; detail: string } // 503 and other 5xx: apiserver up, etcd down
  | { kind: 'tls'; detail: string } // x509 failures: expired or untrusted certs
  | { kind: 'unauthorized'; status: number; detail: string } // 401: the credentials were refused
  | { kind: 'forbidden'; status: number; detail: string } // 403: a known user RBAC does not allow
  | { kind: 'not-found'; detail: string }
  | { kind: 'conflict'; detail: string }
  | { kind: 'error'; status: number | null; detail: string };

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };

export interface KubeNodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The part of a Node object keyturn reads. */
export interface KubeNode {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  internalIP: string | null;
  kubeletVersion: string;
  providerID: string | null;
  conditions: KubeNodeCondition[];
}

export interface KubeEvent {
  namespace: string;
  involvedObject: { kind: string; name: string };
  reason: string;
  message: string;
  type: string;
  lastTimestamp: string | null;
  count: number;
}

export interface KubeLease {
  name: string;
  namespace: string;
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  acquireTime: string | null;
  renewTime: string | null;
  resourceVersion: string;
}

export interface KubeconfigAccess {
  kubeconfig: string;
  context: string;
  user: string | null;
}

export interface KubeGateway {
  /** Where the kubeconfig points, for banners and errors. */
  readonly server: string;
  /** The kubeconfig file(s), context and user the credentials come from: what an auth or TLS error names. */
  readonly access?: KubeconfigAccess;
  readyz(): Promise<ApiResult<string>>;
  listNodes(): Promise<ApiResult<KubeNode[]>>;
  getNode(name: string): Promise<ApiResult<KubeNode>>;
  patchNodeAnnotations(name: string, annotations: Record<string, string | null>): Promise<ApiResult<KubeNode>>;
  listEvents(options?: { namespace?: string; fieldSelector?: string }): Promise<ApiResult<KubeEvent[]>>;
  countSecrets(): Promise<ApiResult<number>>;
  getLease(namespace: string, name: string): Promise<ApiResult<KubeLease>>;
  createLease(lease: Omit<KubeLease, 'resourceVersion'>): Promise<ApiResult<KubeLease>>;
  updateLease(lease: KubeLease): Promise<ApiResult<KubeLease>>;
  deleteLease(namespace: string, name: string): Promise<ApiResult<void>>;
}
