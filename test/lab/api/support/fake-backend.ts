// A controllable ApiBackend: tests change nodes, events and availability, then call changed() like the
// controller does after any state change.
import type { ApiBackend, LabEventView, LabNodeView } from '../../../../lab/contract.js';
import type { Role } from '../../../../src/model/cluster.js';

export class FakeBackend implements ApiBackend {
  nodeViews: LabNodeView[];
  eventViews: LabEventView[] = [];
  secrets = 0;
  unavailable: string | null = null;
  readonly patches: { name: string; annotations: Record<string, string | null> }[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(nodes: LabNodeView[]) {
    this.nodeViews = nodes;
  }

  unavailableReason(): string | null {
    return this.unavailable;
  }
  nodes(): LabNodeView[] {
    return this.nodeViews;
  }
  events(): LabEventView[] {
    return this.eventViews;
  }
  secretCount(): number {
    return this.secrets;
  }
  onNodeAnnotationsPatched(name: string, annotations: Record<string, string | null>): void {
    this.patches.push({ name, annotations });
  }
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replaces one node's view and notifies subscribers. */
  update(name: string, change: Partial<LabNodeView>): void {
    this.nodeViews = this.nodeViews.map((n) => (n.name === name ? { ...n, ...change } : n));
    this.changed();
  }

  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}

export function labNode(name: string, index: number, roles: Role[], extra: Partial<LabNodeView> = {}): LabNodeView {
  const controlPlane = roles.includes('control-plane');
  return {
    name,
    address: `127.0.10.${index}`,
    roles,
    distro: 'rke2',
    version: 'v1.32.5+rke2r1',
    ready: true,
    etcdVoter: roles.includes('etcd') ? true : null,
    encryptionHash: controlPlane ? `start-${'ab'.repeat(32)}` : null,
    createdAt: '2025-01-02T03:04:05Z',
    ...extra,
  };
}

/** The split topology: 3 etcd-only servers, 2 control-plane-only servers, 2 agents. */
export function splitCluster(): LabNodeView[] {
  return [
    labNode('etcd-1', 1, ['etcd']),
    labNode('etcd-2', 2, ['etcd']),
    labNode('etcd-3', 3, ['etcd']),
    labNode('cp-1', 4, ['control-plane']),
    labNode('cp-2', 5, ['control-plane']),
    labNode('worker-1', 6, ['worker']),
    labNode('worker-2', 7, ['worker']),
  ];
}
