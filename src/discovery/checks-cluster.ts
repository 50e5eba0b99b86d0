// Checks that compare nodes with each other: CA fingerprints, encryption hashes, etcd quorum.
import type { Check } from '../model/status.js';
import { check, listNames, type CheckInput } from './check-input.js';

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
    drift.push(
      `${name} differs on ${odd.map((h) => `${h} (${holders.get(h)!.slice(0, 16)}…)`).join(', ')}; most nodes have ${majority.slice(0, 16)}…`,
    );
  }
  if (drift.length > 0) return check('ca-consistency', 'fail', listNames(drift));
  return check(
    'ca-consistency',
    'pass',
    `${byCa.size} CA(s) identical on every node that holds them: ${[...byCa.keys()].join(', ')}`,
  );
}

/**
 * `<stage>-<hash>` as upstream reads the annotation (k3s pkg/server/handlers/secrets-encrypt.go
 * getEncryptionHashAnnotation: split on "-" into exactly two parts, else "invalid annotation <ann> found on node
 * <name>" and `secrets-encrypt status` answers 500). null for anything else, the empty string included.
 */
export function parseStageHash(value: string): { stage: string; hash: string } | null {
  const parts = value.split('-');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return null;
  return { stage: parts[0], hash: parts[1] };
}

/** Stages during which a re-encryption runs: another rotation must not start (k3s secrets-encrypt handlers). */
const REENCRYPTING = new Set(['reencrypt_request', 'reencrypt_active']);

export function checkEncryptionHashes(input: CheckInput): Check {
  // Hashes are compared across control-plane servers only; etcd-only servers carry no annotation (field-notes).
  const cps = input.nodes.filter((n) => n.status.roles.includes('control-plane'));
  if (cps.length === 0) return check('encryption-hashes', 'unknown', 'no control-plane server known');
  const problems: string[] = [];
  const disabled: string[] = [];
  const unread: string[] = [];
  /** Nodes whose value came from the API annotation alone, or whose own config could not be hashed. */
  const unverified: string[] = [];
  const valueOf = new Map<string, { stage: string; hash: string }>();
  for (const n of cps) {
    const name = n.status.name;
    const ann = n.encryptionAnnotation;
    const fromApi = ann === null ? null : parseStageHash(ann);
    if (ann !== null && !fromApi) {
      problems.push(
        `${name}: annotation ${JSON.stringify(ann)} is not <stage>-<hash> (upstream: "invalid annotation ... found on node ${name}"; secrets-encrypt status answers 500)`,
      );
    }
    const enc = n.status.encryption;
    if (n.failure) {
      // Not reachable: the API annotation is still the node's own report of its state, but nothing checks it
      // against the node's config.
      if (fromApi) {
        valueOf.set(name, fromApi);
        unverified.push(`${name} (unreachable)`);
      } else if (ann === null) unread.push(`${name} (unreachable, no annotation)`);
      continue;
    }
    if (!enc) {
      const why = n.encryptionProblem ?? 'no encryption state';
      // No file: encryption off here. The file could not be opened (permissions, I/O): not read. A file that was
      // read but is not <stage>-<hash>: broken, and upstream copies it into the annotation on start.
      if (/No such file/.test(why)) disabled.push(`${name}: ${why}`);
      else if (/cannot open|Permission denied|Input\/output error|no encryption state/.test(why))
        unread.push(`${name}: ${why}`);
      else problems.push(`${name}: ${why}`);
      if (fromApi) valueOf.set(name, fromApi);
      continue;
    }
    if (enc.configHash === '') unverified.push(`${name} (encryption-config.json not hashed)`);
    else if (!enc.hashMatchesConfig) {
      problems.push(
        `${name}: state hash ${enc.hash.slice(0, 12)}… is not sha256 of its encryption-config.json (${enc.configHash.slice(0, 12)}…)`,
      );
    }
    // The annotation carries stages the state file never holds (reencrypt_active is written with skipFile).
    valueOf.set(name, fromApi ?? { stage: enc.stage, hash: enc.hash });
  }
  // A K3s cluster without --secrets-encryption has no state on any server; some with and some without is a problem.
  if (valueOf.size === 0 && disabled.length > 0 && unread.length === 0 && problems.length === 0) {
    return check(
      'encryption-hashes',
      'pass',
      `secrets encryption not enabled (no encryption-state.json) on ${listNames(cps.map((n) => n.status.name))}`,
    );
  }
  if (valueOf.size > 0) problems.push(...disabled);
  const values = new Map([...valueOf].map(([name, v]) => [name, `${v.stage}-${v.hash}`]));
  const hashes = new Map([...valueOf].map(([name, v]) => [name, v.hash]));
  const reencrypting = [...valueOf]
    .filter(([, v]) => REENCRYPTING.has(v.stage))
    .map(([name, v]) => `${name} (${v.stage})`);
  if (new Set(hashes.values()).size > 1 || (new Set(values.values()).size > 1 && reencrypting.length === 0)) {
    const { majority, odd } = oddOnesOut(values);
    problems.push(
      `${odd.map((name) => `${name} has ${short(values.get(name)!)}`).join(', ')} while the others have ${short(majority)}`,
    );
  }
  if (problems.length > 0)
    return check('encryption-hashes', 'fail', listNames([...problems, ...unread.map((u) => `not read: ${u}`)]));
  if (valueOf.size === 0)
    return check('encryption-hashes', 'unknown', `no control-plane server could be read: ${listNames(unread)}`);
  const [value] = values.values();
  const notes: string[] = [];
  if (reencrypting.length > 0)
    notes.push(
      `re-encryption in progress on ${listNames(reencrypting)}: do not start another rotation until it reaches reencrypt_finished`,
    );
  if (unverified.length > 0)
    notes.push(`from annotations only for ${listNames(unverified)}: not compared with their encryption-config.json`);
  if (unread.length > 0) notes.push(`not read: ${listNames(unread)}`);
  if (notes.length > 0)
    return check(
      'encryption-hashes',
      'warn',
      `${valueOf.size} control-plane server(s) agree on ${short(value)}; ${notes.join('; ')}`,
    );
  return check(
    'encryption-hashes',
    'pass',
    `${valueOf.size} control-plane server(s) agree on ${short(value)} and match their own config`,
  );
}

function short(stageHash: string): string {
  const m = /^([a-z_]+)-([0-9a-f]{12})/.exec(stageHash);
  return m ? `${m[1]}-${m[2]}…` : stageHash;
}

export function checkEtcdQuorum(input: CheckInput): Check {
  const etcdNodes = input.nodes.filter((n) => n.status.roles.includes('etcd'));
  // "External datastore" is a finding only about servers we know: with no nodes, or none whose roles are known, it
  // would be a pass that read nothing.
  const serversKnown = input.nodes.some((n) => n.status.roles.includes('control-plane'));
  if (etcdNodes.length === 0 && !serversKnown) {
    return check(
      'etcd-quorum',
      'unknown',
      input.nodes.length === 0
        ? 'no nodes known: nothing was read'
        : 'no server known among the nodes: the datastore could not be told',
    );
  }
  if (etcdNodes.length === 0) return check('etcd-quorum', 'pass', 'no etcd-role nodes (external datastore)');
  const view = input.etcd;
  if (!view.known) {
    const anyReached = etcdNodes.some((n) => !n.failure);
    return check(
      'etcd-quorum',
      anyReached ? 'fail' : 'unknown',
      `no etcd server answered with a member list: ${listNames(view.errors)}`,
    );
  }
  const problems: string[] = [];
  const unhealthy = view.members.filter((m) => m.healthy !== true);
  for (const m of unhealthy)
    problems.push(
      `member ${m.name}${m.node ? ` on ${m.node}` : ''} ${m.healthy === false ? 'unhealthy' : 'health unknown'}${m.error ? ` (${m.error})` : ''}`,
    );
  for (const name of view.missing) problems.push(`${name} has the etcd role but is not in the member list`);
  const healthyVoters = view.members.filter((m) => m.healthy === true).length;
  const quorum = Math.floor(view.members.length / 2) + 1;
  // Without a status answer there is no leader to name: say so, or "no leader" reads as an election in progress.
  if (!view.leader)
    problems.push(
      view.statusErrors.length > 0
        ? `no leader known (the member status could not be read: ${listNames(view.statusErrors)})`
        : 'no leader',
    );
  if (problems.length > 0) {
    const q =
      healthyVoters >= quorum
        ? `quorum holds (${healthyVoters}/${view.members.length})`
        : `QUORUM LOST (${healthyVoters}/${view.members.length} healthy, ${quorum} needed)`;
    return check('etcd-quorum', 'fail', `${q}: ${listNames(problems)}`);
  }
  return check(
    'etcd-quorum',
    'pass',
    `${view.members.length}/${view.members.length} members healthy, leader ${view.leader}`,
  );
}
