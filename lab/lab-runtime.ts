// The controller's state: nodes and their units, the etcd cluster and its last known health, the events the lab
// emits, and the ApiBackend view the Kubernetes API serves from.
import type { ApiBackend, LabEventView, LabNodeSpec, LabNodeView, LabOptions } from './contract.js';
import type { labPaths } from './contract.js';
import type { LabClock } from './clock.js';
import type { EtcdCluster, EtcdClusterHealth } from './etcd/index.js';
import { NodeJournal } from './journal.js';
import { hasEtcd, isControlPlane, nodeIdentity, type LabNode } from './lab-node.js';
import { attemptNodeStart } from './node-start.js';
import type { ClusterCAs } from './pki/index.js';
import type { LabDatastore } from './datastore.js';
import type { LabRecord } from './record.js';
import { NodeService } from './service.js';
import { afterMainProcessExit } from './static-pods.js';

const HEALTH_QUERY_TIMEOUT_MS = 3_000;
const MAX_EVENTS = 2_000;
const NOTIFY_BATCH_MS = 25;
const NOT_QUERIED: EtcdClusterHealth = { healthy: false, leader: null, running: [], reason: 'etcd not started' };

export class LabRuntime {
  readonly nodes: LabNode[] = [];
  health: EtcdClusterHealth = NOT_QUERIED;
  readonly createdAt = new Date().toISOString();
  private readonly byName = new Map<string, LabNode>();
  private readonly listeners = new Set<() => void>();
  private readonly eventLog: LabEventView[] = [];
  private healthTimer: NodeJS.Timeout | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private healthInFlight: Promise<EtcdClusterHealth> | null = null;
  private pidCounter = 1000 + Math.floor(Math.random() * 20_000);
  /** Aborted at shutdown: background work the nodes started (reencryption) stops with the lab. */
  readonly lifetime = new AbortController();

  constructor(
    readonly options: LabOptions,
    readonly paths: ReturnType<typeof labPaths>,
    readonly clock: LabClock,
    readonly record: LabRecord,
    readonly etcd: EtcdCluster,
    readonly cas: ClusterCAs,
    readonly datastore: LabDatastore,
  ) {}

  addNode(spec: LabNodeSpec): LabNode {
    const { paths, certs, unit, description } = nodeIdentity(this.paths.root, spec, this.cas, this.options.version);
    const journal = new NodeJournal(paths.journal, spec.name, () => this.clock.now());
    const node = {
      spec,
      prog: spec.distro,
      unit,
      description,
      paths,
      certs,
      journal,
      stuck: false,
      encryptionHash: null,
      joinTarget: null,
      syncedCaRevision: 0,
      syncedEncryptionRevision: 0,
      apiserverPod: false,
    } as Omit<LabNode, 'service'> as LabNode;
    node.service = new NodeService(
      unit,
      description,
      journal,
      this.clock,
      {
        attempt: (attempt) => attemptNodeStart(this, node, attempt),
        afterExit: () => afterMainProcessExit(this, node),
        onTransition: (from, to) => {
          this.record.append({ type: 'service', node: spec.name, unit, from, to });
          if (to === 'active') this.emitEvent(spec.name, 'NodeReady', `Node ${spec.name} status is now: NodeReady`);
          if (from === 'active')
            this.emitEvent(spec.name, 'NodeNotReady', `Node ${spec.name} status is now: NodeNotReady`);
          this.refreshHealthSoon();
          this.notify();
        },
      },
      () => (this.pidCounter += 1 + Math.floor(Math.random() * 7)),
    );
    this.nodes.push(node);
    this.byName.set(spec.name, node);
    this.emitEvent(spec.name, 'Starting', 'Starting kubelet.');
    this.emitEvent(spec.name, 'RegisteredNode', `Node ${spec.name} event: Registered Node ${spec.name} in Controller`);
    return node;
  }

  node(name: string): LabNode | undefined {
    return this.byName.get(name);
  }

  activeControlPlane(): LabNode | undefined {
    return this.nodes.find((n) => isControlPlane(n) && n.service.state === 'active');
  }

  /** A fresh look at etcd (decisions use this, never the cached view); also refreshes the cache. */
  async queryHealth(): Promise<EtcdClusterHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<EtcdClusterHealth>((resolve) => {
      timer = setTimeout(
        () => resolve({ ...this.health, healthy: false, reason: 'etcd health query timed out' }),
        HEALTH_QUERY_TIMEOUT_MS,
      );
    });
    try {
      const health = await Promise.race([this.etcd.health(), timeout]);
      this.setHealth(health);
      return health;
    } catch (error) {
      const health = {
        healthy: false,
        leader: null,
        running: [],
        reason: error instanceof Error ? error.message : String(error),
      };
      this.setHealth(health);
      return health;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Coalesced background refresh of the cached health (timer and every service change). */
  refreshHealthSoon(): void {
    if (this.healthInFlight) return;
    this.healthInFlight = this.queryHealth().finally(() => {
      this.healthInFlight = null;
    });
  }

  startHealthTimer(): void {
    const every = Math.max(200, this.clock.scaled(2_000));
    this.healthTimer = setInterval(() => this.refreshHealthSoon(), every);
  }

  /** Waits until etcd has quorum, polling; false on deadline or abort. */
  async waitForQuorum(simulatedMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + this.clock.scaled(simulatedMs);
    while (!signal?.aborted) {
      if ((await this.queryHealth()).healthy) return true;
      if (Date.now() >= deadline) return false;
      await this.clock.sleep(Math.min(500, simulatedMs), signal);
    }
    return false;
  }

  emitEvent(node: string, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    this.eventLog.push({ node, reason, message, type, time: new Date().toISOString() });
    if (this.eventLog.length > MAX_EVENTS) this.eventLog.splice(0, this.eventLog.length - MAX_EVENTS);
  }

  backend(): ApiBackend {
    return {
      unavailableReason: () => this.unavailableReason(),
      nodes: () => this.nodes.map((n) => this.view(n)),
      events: () => [...this.eventLog],
      secretCount: () => this.options.secrets,
      onNodeAnnotationsPatched: (name, annotations) => this.adoptAnnotationPatch(name, annotations),
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }

  /**
   * node.encryptionHash is the Node object's `<prog>.io/encryption-config-hash` annotation (the API serves it from
   * there), so a client's rewrite of it (kubectl annotate) lands there too: upstream's supervisor reads the
   * annotation from the API Node object for `secrets-encrypt status` and every stage check (k3s
   * pkg/server/handlers/secrets-encrypt.go getEncryptionHashAnnotation, verifyEncryptionHashAnnotation).
   * Only control-plane servers carry it in the lab's view; on other nodes the API keeps the patch as it is.
   */
  private adoptAnnotationPatch(name: string, annotations: Record<string, string | null>): void {
    const node = this.byName.get(name);
    const key = node ? `${node.prog}.io/encryption-config-hash` : '';
    if (!node || !isControlPlane(node) || !(key in annotations)) return;
    node.encryptionHash = annotations[key];
  }

  unavailableReason(): string | null {
    // An RKE2 apiserver pod outlives its stopped unit (static-pods.ts): the API stays up until killall.
    if (!this.activeControlPlane() && !this.nodes.some((n) => isControlPlane(n) && n.apiserverPod))
      return 'no control-plane server is running';
    if (!this.health.healthy) return `etcd has no quorum: ${this.health.reason}`;
    return null;
  }

  async shutdown(): Promise<void> {
    this.lifetime.abort();
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = null;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = null;
    await Promise.allSettled(this.nodes.map((n) => n.service.dispose()));
    this.listeners.clear();
  }

  private view(node: LabNode): LabNodeView {
    const etcdVoter = hasEtcd(node) ? this.health.healthy && this.health.running.includes(node.spec.name) : null;
    return {
      name: node.spec.name,
      address: node.spec.address,
      roles: node.spec.roles,
      distro: node.spec.distro,
      version: this.options.version,
      ready: node.service.state === 'active' && node.awaitingServer !== true,
      etcdVoter,
      encryptionHash: isControlPlane(node) ? node.encryptionHash : null,
      createdAt: this.createdAt,
    };
  }

  private setHealth(health: EtcdClusterHealth): void {
    const previous = this.health;
    this.health = health;
    const changed =
      previous.healthy !== health.healthy ||
      previous.leader !== health.leader ||
      previous.running.join() !== health.running.join();
    if (changed) this.notify();
  }

  /**
   * Tells API watchers that nodes changed, at most once per NOTIFY_BATCH_MS: a large lab starting 200 agents would
   * otherwise rebuild every node object on each of ~400 transitions.
   */
  private notify(): void {
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      for (const listener of this.listeners) listener();
    }, NOTIFY_BATCH_MS);
  }
}
