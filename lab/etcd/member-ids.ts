// Emulated member and cluster IDs: uint64s printed in decimal like etcd's JSON gateway does. Real etcd hashes the
// peer URLs and the cluster token; we hash the name so an ID is stable across restarts and address changes.
import { createHash } from 'node:crypto';

function uint64Of(text: string): bigint {
  const digest = createHash('sha256').update(text).digest();
  const id = digest.readBigUInt64BE(0);
  return id === 0n ? 1n : id; // etcd treats 0 as "no member"
}

export function memberIdOf(name: string): string {
  return uint64Of(`etcd-member:${name}`).toString(10);
}

export function clusterIdOf(memberIds: string[], token: string): string {
  const sorted = [...memberIds].sort(compareDecimalIds);
  return uint64Of(`etcd-cluster:${token}:${sorted.join(',')}`).toString(10);
}

/** etcd lists members by ascending uint64 ID. */
export function compareDecimalIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
