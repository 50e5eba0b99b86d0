// The lab's etcd members: real etcd processes when the binary exists, otherwise in-process emulated members that
// serve the same endpoints over TLS with the same certificates. Quorum, leaders and certificate trust are real
// effects in both modes. Either way the member listens privately and the front (front.ts) opens the listeners
// upstream gives the release being played, while the member runs.
import type { EtcdMember } from '../contract.js';
import type { EtcdListenerLayout } from '../upstream-versions.js';
import { createEmulatedMember } from './emulated/member.js';
import { emulatedHealth } from './emulated/health.js';
import { EmulatedQuorum } from './emulated/quorum.js';
import { queryRealHealth } from './real-health.js';
import { createRealMember } from './real-member.js';
import { openFront, type EtcdFront } from './front.js';
import { findEtcdBinary } from './resolve-mode.js';
import { createSerialQueue } from './serial.js';
import type { EtcdCluster, EtcdClusterHealth, EtcdClusterOptions, EtcdMemberSpec } from './types.js';

export { resolveEtcdMode } from './resolve-mode.js';
export type { EtcdCluster, EtcdClusterHealth, EtcdMemberSpec } from './types.js';

export function createEtcdCluster(
  mode: 'real' | 'emulated',
  members: EtcdMemberSpec[],
  opts: EtcdClusterOptions,
): EtcdCluster {
  assertDistinct(members);
  switch (mode) {
    case 'real':
      return createRealCluster(members, opts);
    case 'emulated':
      return createEmulatedCluster(members, opts);
    default: {
      const unknown: never = mode;
      throw new Error(`unknown etcd mode ${String(unknown)}`);
    }
  }
}

function createRealCluster(specs: EtcdMemberSpec[], opts: EtcdClusterOptions): EtcdCluster {
  const binary = findEtcdBinary();
  if (binary === null) throw new Error('etcd mode real: no etcd binary at /usr/bin/etcd or on PATH — use emulated');
  const members = new Map(
    specs.map((s) => [s.name, withFront(createRealMember(binary, s, specs, opts), s, opts.layout)]),
  );
  return clusterOf('real', members, () => queryRealHealth(specs, members));
}

function createEmulatedCluster(specs: EtcdMemberSpec[], opts: EtcdClusterOptions): EtcdCluster {
  const quorum = new EmulatedQuorum(specs, opts.token);
  const members = new Map(specs.map((s) => [s.name, withFront(createEmulatedMember(s, quorum), s, opts.layout)]));
  const names = specs.map((s) => s.name);
  return clusterOf('emulated', members, async () => emulatedHealth(quorum, names));
}

function clusterOf(
  mode: 'real' | 'emulated',
  members: Map<string, EtcdMember>,
  health: () => Promise<EtcdClusterHealth>,
): EtcdCluster {
  return {
    mode,
    member(name) {
      const member = members.get(name);
      if (!member) throw new Error(`no etcd member named ${name} (members: ${[...members.keys()].join(', ')})`);
      return member;
    },
    health,
    async stopAll() {
      // allSettled: one member failing to stop must not leave the others running.
      const results = await Promise.allSettled([...members.values()].map((m) => m.stop()));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      if (failed.length > 0) throw new Error(`stopping etcd members failed: ${failed.join('; ')}`);
    },
  };
}

function assertDistinct(members: EtcdMemberSpec[]): void {
  const seen = new Set<string>();
  for (const key of members.flatMap((m) => [`name ${m.name}`, `address ${m.address}`, `loopback ${m.loopbackDir}`])) {
    if (seen.has(key)) throw new Error(`etcd members must have distinct names and addresses: duplicate ${key}`);
    seen.add(key);
  }
}

/** The member with upstream's listeners in front of it: opened once it runs, closed before it stops. */
function withFront(member: EtcdMember, spec: EtcdMemberSpec, layout: EtcdListenerLayout): EtcdMember {
  const serial = createSerialQueue();
  let front: EtcdFront | null = null;
  const start = async () => {
    await member.start();
    if (front) return;
    try {
      front = await openFront(spec, layout);
    } catch (error) {
      await member.stop();
      throw error;
    }
  };
  const stop = async () => {
    const open = front;
    front = null;
    await open?.close();
    await member.stop();
  };
  return { ...member, start: () => serial(start), stop: () => serial(stop), isRunning: () => member.isRunning() };
}
