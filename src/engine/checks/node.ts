// API-side and encryption checks on one node.
import { createHash } from 'node:crypto';
import { ENCRYPTION_CONFIG, ENCRYPTION_STATE } from '../../model/cert-files.js';
import { renderReadFiles } from '../commands.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import { splitDump } from './certs.js';

/** Ready in the API; skipped (recorded) while the API is down, as it is mid-recovery. */
export async function checkNodeReady(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'node-ready';
  const kube = ctx.ports.kube;
  if (!kube) return { check, status: 'skipped', detail: 'no API access configured' };
  const up = await kube.readyz();
  if (!up.ok) return { check, status: 'skipped', detail: `API down (${up.failure.kind}): checked on the node instead` };
  const node = await kube.getNode(ctx.node.name);
  if (!node.ok) return { check, status: 'fail', detail: `node ${ctx.node.name}: ${node.failure.kind} ${node.failure.detail}` };
  const ready = node.value.conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { check, status: 'pass', detail: 'Ready' };
  return { check, status: 'fail', detail: `Ready=${ready?.status ?? 'missing'}`, evidence: ready ? [`${ready.reason ?? ''} ${ready.message ?? ''}`.trim()] : [] };
}

/** The node's encryption-state.json says <stage>-<sha256 of encryption-config.json>, and the hash matches. */
export async function checkEncryptionStage(ctx: StepContext, stage: string): Promise<GateCheckResult> {
  const check = 'encryption-stage';
  if (!ctx.node.roles.includes('control-plane')) return { check, status: 'skipped', detail: 'not a control-plane server' };
  const r = await ctx.exec(ctx.node, renderReadFiles(ctx.node, [ENCRYPTION_STATE, ENCRYPTION_CONFIG]), 30);
  const files = splitDump(r.stdout);
  const state = (files.get(ENCRYPTION_STATE) ?? '').trim();
  const config = files.get(ENCRYPTION_CONFIG);
  if (r.outcome !== 'ok' || !state || config === undefined) return { check, status: 'fail', detail: `cannot read ${ENCRYPTION_STATE}: ${r.outcome}` };
  const hash = createHash('sha256').update(config).digest('hex');
  const evidence = [`state: ${state}`, `sha256(config): ${hash}`];
  if (!state.startsWith(`${stage}-`)) return { check, status: 'fail', detail: `stage is ${state.replace(/-[0-9a-f]{64}$/, '')}, want ${stage}`, evidence };
  if (!state.endsWith(hash)) return { check, status: 'fail', detail: 'hash does not match the node\'s encryption-config.json', evidence };
  return { check, status: 'pass', detail: `stage ${stage}, hash matches config` };
}
