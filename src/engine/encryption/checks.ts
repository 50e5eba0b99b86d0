// Secrets-encryption gates. The rule Rancher learned the hard way: after an intermediate server's restart, check
// only that server (stage + its hash = sha256 of its own config); demand "all hashes match" after the phase's last
// control-plane server. A mismatch names the node(s) that differ.
import type { EncryptionFlow } from '../../recipe-schema/types.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import type { PlannedNode } from '../plan-types.js';
import { parseStageHash } from '../../discovery/checks-cluster.js';
import { nodesWithSkips } from '../reducer.js';
import { isControlPlane, readPublished, readServerEncryption, readStatus, splitState } from './read.js';

const short = (h: string) => h.slice(0, 12);

/** True when this block is the last control-plane server of a phase that walks every control-plane server. */
export function isLastControlPlaneOfPhase(ctx: StepContext): boolean {
  const cps = ctx.plan.nodes.filter(isControlPlane);
  const inPhase = ctx.plan.blocks
    .filter((b) => b.phase === ctx.step.phase && cps.some((n) => n.name === b.node))
    .map((b) => b.node);
  if (inPhase.length < cps.length) return false; // a one-node phase (right after a stage command): intermediate
  return inPhase[inPhase.length - 1] === ctx.node.name;
}

interface NodeHash {
  node: PlannedNode;
  published: string;
  source: string;
  configHash: string;
}

async function readNodeHash(ctx: StepContext, node: PlannedNode): Promise<NodeHash | string> {
  const enc = await readServerEncryption(ctx, node);
  if (!enc.ok) return `cannot read encryption files: ${enc.detail}`;
  const pub = await readPublished(ctx, node, enc.value.state);
  return { node, published: pub.value, source: pub.source, configHash: enc.value.configHash };
}

/**
 * A Node annotation upstream's supervisor cannot split into `<stage>-<hash>` (empty, or rewritten by hand): it
 * answers `secrets-encrypt status` and every stage command with a 500 (k3s pkg/server/handlers/secrets-encrypt.go
 * getEncryptionHashAnnotation), so no stage comparison means anything until the server publishes it again.
 */
function invalidAnnotations(check: string, hashes: NodeHash[]): GateCheckResult | null {
  const bad = hashes.filter((h) => h.source === 'annotation' && parseStageHash(h.published) === null);
  if (bad.length === 0) return null;
  const first = bad[0].node.name;
  const listed = bad.map((h) => `${h.node.name} (${JSON.stringify(h.published)})`).join(', ');
  return {
    check,
    status: 'fail',
    node: first,
    detail: `encryption-config-hash annotation is not <stage>-<hash> on ${listed}: the server answers secrets-encrypt status and every stage command with "invalid annotation ... found on node ${first}" (500); restart ${bad.map((h) => h.node.name).join(', ')} to publish it again from encryption-state.json (compare that file's stage with the other servers' first)`,
    evidence: bad.map(
      (h) => `${h.node.name}: annotation ${JSON.stringify(h.published)}, sha256(config) ${short(h.configHash)}…`,
    ),
  };
}

function describeHash(h: NodeHash): string {
  const { stage, hash } = splitState(h.published);
  return `${h.node.name}: ${h.source} ${stage}-${short(hash)}…, sha256(config) ${short(h.configHash)}…`;
}

/** Every control-plane server publishes the same <stage>-<hash>, each equal to its own config's. */
async function checkAllHashes(ctx: StepContext, check: string, stages: string[] | null): Promise<GateCheckResult> {
  const cps = ctx.plan.nodes.filter(isControlPlane);
  const hashes: NodeHash[] = [];
  const unread: string[] = [];
  for (const n of cps) {
    const h = await readNodeHash(ctx, n);
    if (typeof h === 'string') unread.push(`${n.name}: ${h}`);
    else hashes.push(h);
  }
  const evidence = [...hashes.map(describeHash), ...unread];
  if (unread.length > 0)
    return {
      check,
      status: 'fail',
      detail: `could not read ${unread.map((u) => u.split(':')[0]).join(', ')}`,
      evidence,
    };
  const invalid = invalidAnnotations(check, hashes);
  if (invalid) return invalid;
  const ownMismatch = hashes.filter((h) => splitState(h.published).hash !== h.configHash);
  if (ownMismatch.length > 0) {
    const names = ownMismatch.map((h) => h.node.name).join(', ');
    return {
      check,
      status: 'fail',
      node: ownMismatch[0].node.name,
      detail: `hash does not match its own encryption-config.json on ${names}: the file changed since the server published it`,
      evidence,
    };
  }
  const counts = new Map<string, number>();
  for (const h of hashes) counts.set(h.published, (counts.get(h.published) ?? 0) + 1);
  if (counts.size > 1) {
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
    // The server just checked (or the majority) is the reference: the others are the ones that differ.
    const reference = hashes.find((h) => h.node.name === ctx.node.name)?.published ?? majority;
    const differ = hashes.filter((h) => h.published !== reference).map((h) => h.node.name);
    return {
      check,
      status: 'fail',
      node: differ[0],
      detail: `hashes differ: ${differ.join(', ')} ${differ.length === 1 ? 'differs' : 'differ'} from ${hashes
        .filter((h) => h.published === reference)
        .map((h) => h.node.name)
        .join(', ')}`,
      evidence,
    };
  }
  const stage = splitState(hashes[0].published).stage;
  if (stages !== null && !stages.includes(stage)) {
    return {
      check,
      status: 'fail',
      detail: `stage is ${stage}, a rotation starts only from ${stages.join(' or ')}`,
      evidence,
    };
  }
  return { check, status: 'pass', detail: `all ${hashes.length} control-plane hashes match (${stage})`, evidence };
}

/** This server reached `stage` with its own config's hash; after the last control-plane server, all hashes too. */
export async function checkServerStage(ctx: StepContext, stage: string): Promise<GateCheckResult> {
  const check = 'encryption-stage';
  if (!isControlPlane(ctx.node))
    return { check, status: 'skipped', detail: 'not a control-plane server (no annotation)' };
  if (nodesWithSkips(ctx.state).has(ctx.node.name))
    return { check, status: 'skipped', detail: `${ctx.node.name} was skipped by the operator` };
  const h = await readNodeHash(ctx, ctx.node);
  if (typeof h === 'string') return { check, status: 'fail', detail: h };
  const invalid = invalidAnnotations(check, [h]);
  if (invalid) return invalid;
  const got = splitState(h.published);
  const evidence = [describeHash(h)];
  if (got.stage !== stage)
    return {
      check,
      status: 'fail',
      detail: `${ctx.node.name} is at stage ${got.stage || '(none)'}, want ${stage}`,
      evidence,
    };
  if (got.hash !== h.configHash)
    return {
      check,
      status: 'fail',
      detail: `${ctx.node.name}'s ${h.source} hash does not match sha256 of its encryption-config.json`,
      evidence,
    };
  if (!isLastControlPlaneOfPhase(ctx))
    return {
      check,
      status: 'pass',
      detail: `${ctx.node.name} at ${stage}, hash matches its config (other servers follow on their restart)`,
      evidence,
    };
  const all = await checkAllHashes(ctx, check, [stage]);
  return all.status === 'pass'
    ? { ...all, detail: `${ctx.node.name} at ${stage}; last control-plane server: ${all.detail}` }
    : all;
}

/** Before a rotation: every control-plane server agrees, at one of `stages`; the answering server's status too. */
export async function checkAllEncryptionHashes(ctx: StepContext, stages: string[]): Promise<GateCheckResult> {
  const check = 'encryption-hashes';
  const all = await checkAllHashes(ctx, check, stages);
  if (all.status !== 'pass' || !isControlPlane(ctx.node)) return all;
  const status = await readStatus(ctx, ctx.node);
  if (!status.ok) return { check, status: 'fail', detail: status.detail, evidence: all.evidence };
  if (!status.value.hashMatch)
    return {
      check,
      status: 'fail',
      detail: `secrets-encrypt status on ${ctx.node.name}: ${status.value.hashError || 'hashes do not match'}`,
      evidence: all.evidence,
    };
  return { ...all, detail: `${all.detail}; active key ${status.value.activeKey}` };
}

/** secretbox rotates only with rotate-keys (prepare/rotate/reencrypt refuse it). */
export async function checkEncryptionProvider(ctx: StepContext, flow: EncryptionFlow): Promise<GateCheckResult> {
  const check = 'encryption-provider';
  const enc = await readServerEncryption(ctx, ctx.node);
  if (!enc.ok) return { check, status: 'fail', detail: enc.detail };
  const provider = enc.value.provider;
  if (flow === 'classic' && provider === 'secretbox') {
    return {
      check,
      status: 'fail',
      detail: `${ctx.node.name} encrypts with secretbox: prepare/rotate/reencrypt refuse it; only rotate-keys rotates it, and this cluster's versions lack a safe rotate-keys`,
    };
  }
  return { check, status: 'pass', detail: `provider ${provider}, flow ${flow}` };
}
