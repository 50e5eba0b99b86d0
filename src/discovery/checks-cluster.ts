// Checks that compare nodes with each other: CA fingerprints, encryption hashes, etcd quorum.
import type { Check } from '../model/status.js';
import type { CheckInput } from './checks.js';
import { check, listNames } from './checks.js';

/** The cluster CA a file is a copy of: server/tls/server-ca.crt and agent/server-ca.crt are both "server-ca". */
export function caNameOf(path: string): string | null {
  const m = /^(?:server\/tls\/(etcd\/)?|agent\/)(server-ca|client-ca|request-header-ca|peer-ca)\.crt$/.exec(path);
  if (!m) return null;
  return m[1] ? `etcd-${m[2]}` : m[2];
}

/** Groups keys by value and returns the holders of every value except the most common one. */
function oddOnesOut(holders: Map<string, string>): { majority: string; odd: string[] } {
  const counts = new Map<string, number>();
  for (const v of holders.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const majority = sorted[0][0];
  // A tie has no majority: every holder is suspect.
  const tie = sorted.length > 1 && sorted[0][1] === sorted[1][1];
  const odd = [...holders.entries()].filter(([, v]) => tie || v !== majority).map(([k]) => k);
  return { majority, odd };
}

export function checkCaConsistency(input: CheckInput): Check {
  // CA name → "node path" → fingerprint
  const byCa = new Map<string, Map<string, string>>();
  for (const { status: node } of input.nodes) {
    for (const c of node.certificates) {
      const name = caNameOf(c.path);
      if (!name) continue;
      if (!byCa.has(name)) byCa.set(name, new Map());
      byCa.get(name)!.set(`${node.name} ${c.path}`, c.sha256);
    }
  }
  if (byCa.size === 0) return check('ca-consistency', 'unknown', 'no CA certificate could be read');
  const drift: string[] = [];
  for (const [name, holders] of byCa) {
    if (new Set(holders.values()).size <= 1) continue;
    const { majority, odd } = oddOnesOut(holders);
    drift.push(`${name} differs on ${odd.map((h) => `${h} (${holders.get(h)!.slice(0, 16)}…)`).join(', ')}; most nodes have ${majority.slice(0, 16)}…`);
  }
  if (drift.length > 0) return check('ca-consistency', 'fail', listNames(drift));
  return check('ca-consistency', 'pass', `${byCa.size} CA(s) identical on every node that holds them: ${[...byCa.keys()].join(', ')}`);
}

export function checkEncryptionHashes(input: CheckInput): Check {
  // Hashes are compared across control-plane servers only; etcd-only servers carry no annotation (field-notes).
  const cps = input.nodes.filter((n) => n.status.roles.includes('control-plane'));
  if (cps.length === 0) return check('encryption-hashes', 'unknown', 'no control-plane server known');
  const problems: string[] = [];
  const withoutState: string[] = [];
  const stateOf = new Map<string, string>();
  for (const n of cps) {
    const enc = n.status.encryption;
    if (n.failure) {
      // Not reachable: the API annotation is still the node's own report of its state.
      if (n.encryptionAnnotation) stateOf.set(n.status.name, n.encryptionAnnotation);
      continue;
    }
    if (!enc) {
      withoutState.push(`${n.status.name}: ${n.encryptionProblem ?? 'no encryption state'}`);
      continue;
    }
    if (!enc.hashMatchesConfig) {
      problems.push(`${n.status.name}: state hash ${enc.hash.slice(0, 12)}… is not sha256 of its encryption-config.json (${enc.configHash.slice(0, 12) || 'unreadable'}…)`);
    }
    stateOf.set(n.status.name, `${enc.stage}-${enc.hash}`);
  }
  // A K3s cluster without --secrets-encryption has no state on any server; some with and some without is a problem.
  if (stateOf.size === 0 && withoutState.length > 0) {
    return check('encryption-hashes', 'pass', `secrets encryption not enabled (no encryption-state.json) on ${listNames(cps.map((n) => n.status.name))}`);
  }
  problems.push(...withoutState);
  if (stateOf.size > 1 && new Set(stateOf.values()).size > 1) {
    const { majority, odd } = oddOnesOut(stateOf);
    problems.push(`${odd.map((name) => `${name} has ${short(stateOf.get(name)!)}`).join(', ')} while the others have ${short(majority)}`);
  }
  if (problems.length > 0) return check('encryption-hashes', 'fail', listNames(problems));
  if (stateOf.size === 0) return check('encryption-hashes', 'unknown', 'no control-plane server could be read');
  const [value] = stateOf.values();
  return check('encryption-hashes', 'pass', `${stateOf.size} control-plane server(s) agree on ${short(value)} and match their own config`);
}

function short(stageHash: string): string {
  const m = /^([a-z_]+)-([0-9a-f]{12})/.exec(stageHash);
  return m ? `${m[1]}-${m[2]}…` : stageHash;
}

export function checkEtcdQuorum(input: CheckInput): Check {
  const etcdNodes = input.nodes.filter((n) => n.status.roles.includes('etcd'));
  if (etcdNodes.length === 0) return check('etcd-quorum', 'pass', 'no etcd-role nodes (external datastore)');
  const view = input.etcd;
  if (!view.known) {
    const anyReached = etcdNodes.some((n) => !n.failure);
    return check('etcd-quorum', anyReached ? 'fail' : 'unknown', `no etcd server answered with a member list: ${listNames(view.errors)}`);
  }
  const problems: string[] = [];
  const unhealthy = view.members.filter((m) => m.healthy !== true);
  for (const m of unhealthy) problems.push(`member ${m.name}${m.node ? ` on ${m.node}` : ''} ${m.healthy === false ? 'unhealthy' : 'health unknown'}${m.error ? ` (${m.error})` : ''}`);
  for (const name of view.missing) problems.push(`${name} has the etcd role but is not in the member list`);
  const healthyVoters = view.members.filter((m) => m.healthy === true).length;
  const quorum = Math.floor(view.members.length / 2) + 1;
  if (!view.leader) problems.push('no leader');
  if (problems.length > 0) {
    const q = healthyVoters >= quorum ? `quorum holds (${healthyVoters}/${view.members.length})` : `QUORUM LOST (${healthyVoters}/${view.members.length} healthy, ${quorum} needed)`;
    return check('etcd-quorum', 'fail', `${q}: ${listNames(problems)}`);
  }
  return check('etcd-quorum', 'pass', `${view.members.length}/${view.members.length} members healthy, leader ${view.leader}`);
}
