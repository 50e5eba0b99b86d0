// The nodes as the API serves them: the backend's views, plus the label/annotation patches clients made, each
// with a resourceVersion that moves only when the served object changes, and a bounded history for watches.
import type { ApiBackend, LabNodeView } from '../contract.js';
import type { ResourceVersionClock } from './clock.js';
import { buildNodeObject, nodeAnnotations, nodeLabels, type MetadataOverlay } from './node-object.js';
import type { KubeObject } from './objects.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface NodeChange {
  type: WatchEventType;
  resourceVersion: number;
  object: KubeObject;
  /** The object before a MODIFIED, so a filtered watch can tell "left the selection" from "changed inside it". */
  previous?: KubeObject;
}

export interface MetadataPatch {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

/** A client's value for one key, remembered with the node's own value at that moment. */
interface OverlayEntry {
  value: string | null;
  baseAtPatch: string | undefined;
}

interface NodeRecord {
  view: LabNodeView;
  labels: Map<string, OverlayEntry>;
  annotations: Map<string, OverlayEntry>;
  object: KubeObject;
  fingerprint: string;
}

export class NodeStore {
  readonly #backend: ApiBackend;
  readonly #clock: ResourceVersionClock;
  readonly #records = new Map<string, NodeRecord>();
  readonly #listeners = new Set<(change: NodeChange) => void>();
  readonly #history: NodeChange[] = [];
  readonly #historyLimit: number;
  /** Watches may start from any resourceVersion at or after this one; older ones answer 410 Expired. */
  #oldestWatchable: number;

  constructor(backend: ApiBackend, clock: ResourceVersionClock, historyLimit = 2000) {
    this.#backend = backend;
    this.#clock = clock;
    this.#historyLimit = historyLimit;
    this.#oldestWatchable = clock.current;
    this.refresh();
  }

  /** Reconciles with the backend; emits a change for every node whose served object differs. */
  refresh(): void {
    const seen = new Set<string>();
    for (const view of this.#backend.nodes()) {
      if (seen.has(view.name)) continue;
      seen.add(view.name);
      this.#reconcile(view);
    }
    for (const [name, record] of this.#records) {
      if (seen.has(name)) continue;
      this.#records.delete(name);
      const object = withResourceVersion(record.object, this.#clock.next());
      this.#emit({ type: 'DELETED', resourceVersion: Number(object.metadata.resourceVersion), object });
    }
  }

  list(): KubeObject[] {
    return [...this.#records.values()]
      .map((r) => r.object)
      .sort((a, b) => compareNames(a.metadata.name, b.metadata.name));
  }

  get(name: string): KubeObject | undefined {
    return this.#records.get(name)?.object;
  }

  /** Applies a merge of labels/annotations (null deletes); undefined when the node does not exist. */
  patchMetadata(name: string, patch: MetadataPatch): KubeObject | undefined {
    const record = this.#records.get(name);
    if (!record) return undefined;
    rememberPatch(record.labels, nodeLabels(record.view), patch.labels);
    rememberPatch(record.annotations, nodeAnnotations(record.view), patch.annotations);
    // Tell the controller before re-reading it, so whatever it changes in reaction lands in the same version.
    if (patch.annotations && Object.keys(patch.annotations).length > 0) {
      this.#backend.onNodeAnnotationsPatched?.(name, patch.annotations);
    }
    this.refresh();
    const current = this.#records.get(name);
    if (current) return current.object;
    return undefined;
  }

  subscribe(listener: (change: NodeChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes after resourceVersion, or 'expired' when the history no longer reaches back that far. */
  changesSince(resourceVersion: number): NodeChange[] | 'expired' {
    if (resourceVersion < this.#oldestWatchable) return 'expired';
    return this.#history.filter((c) => c.resourceVersion > resourceVersion);
  }

  get oldestWatchable(): number {
    return this.#oldestWatchable;
  }

  #reconcile(view: LabNodeView): void {
    const existing = this.#records.get(view.name);
    const labels = existing?.labels ?? new Map<string, OverlayEntry>();
    const annotations = existing?.annotations ?? new Map<string, OverlayEntry>();
    const overlay: MetadataOverlay = {
      labels: labels.size === 0 ? {} : liveOverlay(labels, nodeLabels(view)),
      annotations: annotations.size === 0 ? {} : liveOverlay(annotations, nodeAnnotations(view)),
    };
    // The served object is a pure function of the view and the overlay, so comparing those is enough, and far
    // cheaper than building and serialising every node on every request.
    const fingerprint = JSON.stringify([view, overlay]);
    if (existing && existing.fingerprint === fingerprint) {
      existing.view = view;
      return;
    }
    const object = withResourceVersion(buildNodeObject(view, '', overlay), this.#clock.next());
    this.#records.set(view.name, { view, labels, annotations, object, fingerprint });
    const resourceVersion = Number(object.metadata.resourceVersion);
    if (existing) this.#emit({ type: 'MODIFIED', resourceVersion, object, previous: existing.object });
    else this.#emit({ type: 'ADDED', resourceVersion, object });
  }

  #emit(change: NodeChange): void {
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit) {
      const dropped = this.#history.shift();
      if (dropped) this.#oldestWatchable = dropped.resourceVersion;
    }
    for (const listener of this.#listeners) listener(change);
  }
}

function rememberPatch(
  entries: Map<string, OverlayEntry>,
  base: Record<string, string>,
  patch: Record<string, string | null> | undefined,
): void {
  for (const [key, value] of Object.entries(patch ?? {})) entries.set(key, { value, baseAtPatch: base[key] });
}

/**
 * The client's values still in force. When the node's own value for a key moved on since the patch (the controller
 * rewrote `<prog>.io/encryption-config-hash`, say), the node wins: last writer wins, as on a real cluster.
 */
function liveOverlay(entries: Map<string, OverlayEntry>, base: Record<string, string>): Record<string, string | null> {
  const live: Record<string, string | null> = {};
  for (const [key, entry] of entries) {
    if (base[key] !== entry.baseAtPatch) entries.delete(key);
    else live[key] = entry.value;
  }
  return live;
}

function withResourceVersion(object: KubeObject, resourceVersion: number): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(resourceVersion) } };
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
