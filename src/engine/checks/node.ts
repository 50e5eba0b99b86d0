// API-side checks on one node. (Encryption checks live in ../encryption: they hash the config on the node and
// never read key material into keyturn.)
import type { ApiFailure } from '../../transports/types.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';

/** The API is gone (refused, timed out, 5xx), as opposed to answering with an error about this node. */
const apiGone = (f: ApiFailure): boolean => f.kind === 'unreachable' || f.kind === 'unavailable';

function skippedApiDown(f: ApiFailure): GateCheckResult {
  const why = `${f.kind}${'status' in f && f.status ? ` ${f.status}` : ''}${f.detail ? `: ${f.detail.split('\n')[0].slice(0, 160)}` : ''}`;
  return {
    check: 'node-ready',
    status: 'skipped',
    detail: `API unreachable (${why}): Ready not checked; the checks over the node's shell still apply`,
  };
}

/** Ready in the API; skipped (recorded, with why) while the API is down, as it is mid-recovery. */
export async function checkNodeReady(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'node-ready';
  const kube = ctx.ports.kube;
  if (!kube) return { check, status: 'skipped', detail: 'no API access configured' };
  const up = await kube.readyz();
  if (!up.ok) return skippedApiDown(up.failure);
  const node = await kube.getNode(ctx.node.name);
  if (!node.ok)
    return apiGone(node.failure)
      ? skippedApiDown(node.failure)
      : { check, status: 'fail', detail: `node ${ctx.node.name}: ${node.failure.kind} ${node.failure.detail}` };
  const ready = node.value.conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { check, status: 'pass', detail: 'Ready' };
  return {
    check,
    status: 'fail',
    detail: `Ready=${ready?.status ?? 'missing'}`,
    evidence: ready ? [`${ready.reason ?? ''} ${ready.message ?? ''}`.trim()] : [],
  };
}
