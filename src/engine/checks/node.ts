// API-side checks on one node. (Encryption checks live in ../encryption: they hash the config on the node and
// never read key material into keyturn.)
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';

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
