// The emulated cluster's raft outcome (not raft itself): which running members can reach a majority over trusted
// peer links, who leads (kept while it can), and which members have "published" themselves — real etcd serves
// its client port only after it has joined a quorum once since it started; until then connections hang.
import { clusterIdOf, compareDecimalIds, memberIdOf } from '../member-ids.js';
import type { EtcdMemberSpec } from '../types.js';
import { peersTrustEachOther, type MemberTls } from './tls-material.js';

export type MemberView =
  | { kind: 'stopped' }
  /** Started without a quorum since: the client port accepts TCP but never answers. */
  | { kind: 'stalled' }
  /** Served before, lost its quorum: answers, but /health is false and status reports "no leader". */
  | { kind: 'no-leader' }
  | { kind: 'in-quorum'; leader: string };

export interface MemberListing {
  id: string;
  name: string;
  address: string;
  /** Members that never started are listed by ID and peer URL only, as etcd lists unstarted members. */
  started: boolean;
}

export class EmulatedQuorum {
  readonly clusterId: string;
  private readonly running = new Map<string, MemberTls>();
  private readonly published = new Set<string>();
  private readonly everStarted = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private leader: string | null = null;
  private term = 1;
  private index = 1;

  constructor(
    private readonly specs: EtcdMemberSpec[],
    token: string,
  ) {
    this.clusterId = clusterIdOf(
      specs.map((s) => memberIdOf(s.name)),
      token,
    );
  }

  join(name: string, tls: MemberTls): void {
    this.running.set(name, tls);
    this.everStarted.add(name);
    this.index += 1;
    this.refresh();
  }

  leave(name: string): void {
    this.running.delete(name);
    this.published.delete(name);
    this.index += 1;
    this.refresh();
  }

  /** Called when a member's publication changes (to flush connections that waited for it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  viewOf(name: string): MemberView {
    this.refresh();
    if (!this.running.has(name)) return { kind: 'stopped' };
    if (!this.published.has(name)) return { kind: 'stalled' };
    if (this.leader !== null && this.groupOf(this.leader).includes(name))
      return { kind: 'in-quorum', leader: this.leader };
    return { kind: 'no-leader' };
  }

  /** The leader's name, or null without quorum. */
  currentLeader(): string | null {
    this.refresh();
    return this.leader;
  }

  runningNames(): string[] {
    return this.specs.filter((s) => this.running.has(s.name)).map((s) => s.name);
  }

  raft(): { term: number; index: number } {
    return { term: this.term, index: this.index };
  }

  members(): MemberListing[] {
    return this.specs
      .map((s) => ({ id: memberIdOf(s.name), name: s.name, address: s.address, started: this.everStarted.has(s.name) }))
      .sort((a, b) => compareDecimalIds(a.id, b.id));
  }

  quorumSize(): number {
    return Math.floor(this.specs.length / 2) + 1;
  }

  /** Re-evaluates leadership: trust is checked now, so a peer certificate that expires while running counts. */
  private refresh(): void {
    const viable = (name: string) => this.running.has(name) && this.groupOf(name).length >= this.quorumSize();
    const previous = this.leader;
    if (previous === null || !viable(previous)) {
      this.leader = this.runningNames().find(viable) ?? null;
      if (this.leader !== previous) this.term += 1;
    }
    const publishedBefore = this.published.size;
    if (this.leader !== null) for (const name of this.groupOf(this.leader)) this.published.add(name);
    if (this.published.size !== publishedBefore) for (const listener of this.listeners) listener();
  }

  /** The running members that `name` holds trusted peer links with, itself included. */
  private groupOf(name: string): string[] {
    const self = this.running.get(name);
    const selfSpec = this.specs.find((s) => s.name === name);
    if (!self || !selfSpec) return [];
    const now = new Date();
    return this.specs
      .filter((other) => {
        const tls = this.running.get(other.name);
        if (!tls) return false;
        if (other.name === name) return true;
        return peersTrustEachOther({ tls: self, address: selfSpec.address }, { tls, address: other.address }, now);
      })
      .map((s) => s.name);
  }
}
