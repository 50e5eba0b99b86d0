// After rotate-ca: every node holds the new server-ca (sha256 of server/tls/server-ca.crt on servers,
// agent/server-ca.crt on agents). A node that kept the old one names k3s#11233 (bootstrap from a peer's disk).
import { shJoin } from '../../util/shell-quote.js';
import { memberStateOf, probeEtcdServers } from '../checks/etcd.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import { nodesWithSkips } from '../reducer.js';

/** The new server-ca sha256, as the run's rotate-ca (or generate-ca) step recorded it. */
export function expectedServerCa(ctx: StepContext): string | null {
  let found: string | null = null;
  for (const b of ctx.plan.blocks) {
    for (const s of b.steps) {
      if (s.step.kind !== 'command' || (s.step.run.op !== 'rotate-ca' && s.step.run.op !== 'generate-ca')) continue;
      const r = ctx.state.steps[s.key]?.result;
      const sha = r?.status === 'done' ? r.data?.ca?.serverCa : undefined;
      if (sha && (found === null || s.step.run.op === 'rotate-ca')) found = sha;
    }
  }
  return found;
}

export async function checkCaConsistent(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'ca-consistent';
  if (nodesWithSkips(ctx.state).has(ctx.node.name))
    return { check, status: 'skipped', detail: `${ctx.node.name} was skipped by the operator` };
  const expected = expectedServerCa(ctx);
  if (!expected)
    return {
      check,
      status: 'fail',
      detail: 'this run recorded no new server-ca fingerprint (the rotate-ca step did not finish?)',
    };
  const file = `${ctx.node.dataDir}/${ctx.node.server ? 'server/tls' : 'agent'}/server-ca.crt`;
  const r = await ctx.exec(ctx.node, `${shJoin(['sha256sum', file])} | cut -d ' ' -f 1`, 30);
  const got = r.stdout.trim();
  if (r.outcome !== 'ok' || !/^[0-9a-f]{64}$/.test(got))
    return { check, status: 'fail', detail: `cannot read ${file}: ${r.outcome} ${r.stderr.trim()}`.trim() };
  const evidence = [`${ctx.node.name} ${file}: sha256 ${got}`, `new server-ca (rotate-ca bundle): sha256 ${expected}`];
  if (got === expected)
    return {
      check,
      status: 'pass',
      detail: `${ctx.node.name} holds the new server-ca (${got.slice(0, 12)}…)`,
      evidence,
    };
  const cause = ctx.node.server
    ? `${ctx.node.name} kept the old CA after its restart: k3s#11233/k3s#11940 — it joined a peer (server: set) and took its bootstrap CA from the peer's disk instead of the datastore (fixed in v1.29.15/v1.30.11/v1.31.7/v1.32.3)`
    : `${ctx.node.name} still trusts the old server-ca: its server did not serve the new CA yet`;
  return { check, status: 'fail', node: ctx.node.name, detail: cause, evidence };
}

/**
 * etcd health while members hold different CA chains: each member is asked on its own node over the plain-HTTP
 * /health on 127.0.0.1:2381 (discovery/etcd-local-probe.ts; no TLS between members of different CA generations).
 * "true" needs a raft leader, so a majority of healthy members shows quorum. A member is down when nothing listens
 * there, not when its unit is stopped (an RKE2 etcd static pod outlives `systemctl stop rke2-server`).
 */
export async function checkEtcdMembersHealthy(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'etcd-members-healthy';
  const probes = await probeEtcdServers(ctx, ['etcd-health']);
  const evidence: string[] = [];
  const sick: string[] = [];
  for (const s of probes) {
    const state = memberStateOf(s);
    evidence.push(
      `${s.node.name} 127.0.0.1:2381/health → ${state.kind === 'healthy' ? 'healthy' : `${state.kind}: ${state.why}`}`,
    );
    if (state.kind !== 'healthy') sick.push(s.node.name);
  }
  const healthy = probes.length - sick.length;
  const majority = Math.floor(probes.length / 2) + 1;
  if (healthy < majority)
    return {
      check,
      status: 'fail',
      detail: `only ${healthy} of ${probes.length} etcd members healthy: no quorum (${sick.join(', ')})`,
      evidence,
    };
  if (sick.length > 0)
    return { check, status: 'fail', detail: `etcd member(s) ${sick.join(', ')} not healthy`, evidence, node: sick[0] };
  return {
    check,
    status: 'pass',
    detail: `${healthy} of ${probes.length} etcd members healthy (local probes)`,
    evidence,
  };
}
