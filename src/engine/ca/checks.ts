// After rotate-ca: every node holds the new server-ca (sha256 of server/tls/server-ca.crt on servers,
// agent/server-ca.crt on agents). A node that kept the old one names k3s#11233 (bootstrap from a peer's disk).
import { shJoin, shq } from '../../util/shell-quote.js';
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
  if (nodesWithSkips(ctx.state).has(ctx.node.name)) return { check, status: 'skipped', detail: `${ctx.node.name} was skipped by the operator` };
  const expected = expectedServerCa(ctx);
  if (!expected) return { check, status: 'fail', detail: 'this run recorded no new server-ca fingerprint (the rotate-ca step did not finish?)' };
  const file = `${ctx.node.dataDir}/${ctx.node.server ? 'server/tls' : 'agent'}/server-ca.crt`;
  const r = await ctx.exec(ctx.node, `${shJoin(['sha256sum', file])} | cut -d ' ' -f 1`, 30);
  const got = r.stdout.trim();
  if (r.outcome !== 'ok' || !/^[0-9a-f]{64}$/.test(got)) return { check, status: 'fail', detail: `cannot read ${file}: ${r.outcome} ${r.stderr.trim()}`.trim() };
  const evidence = [`${ctx.node.name} ${file}: sha256 ${got}`, `new server-ca (rotate-ca bundle): sha256 ${expected}`];
  if (got === expected) return { check, status: 'pass', detail: `${ctx.node.name} holds the new server-ca (${got.slice(0, 12)}…)`, evidence };
  const cause = ctx.node.server
    ? `${ctx.node.name} kept the old CA after its restart: k3s#11233/k3s#11940 — it joined a peer (server: set) and took its bootstrap CA from the peer's disk instead of the datastore (fixed in v1.29.15/v1.30.11/v1.31.7/v1.32.3)`
    : `${ctx.node.name} still trusts the old server-ca: its server did not serve the new CA yet`;
  return { check, status: 'fail', node: ctx.node.name, detail: cause, evidence };
}

/**
 * etcd health while members hold different CA chains: each running member is asked over its own plain-HTTP
 * probe (upstream listens on 127.0.0.1:2381; the node address is tried next). "true" needs a raft leader, so a
 * majority of healthy members shows quorum without any TLS between members of different CA generations.
 */
export async function checkEtcdMembersHealthy(ctx: StepContext): Promise<GateCheckResult> {
  const check = 'etcd-members-healthy';
  const etcd = ctx.plan.nodes.filter((n) => n.etcd);
  const evidence: string[] = [];
  let healthy = 0;
  const sick: string[] = [];
  for (const n of etcd) {
    const state = await ctx.exec(n, `${shJoin(['systemctl', 'is-active', n.unit])} || true`, 30);
    if (!['active', 'activating'].includes(state.stdout.trim())) {
      evidence.push(`${n.name}: ${n.unit} ${state.stdout.trim() || state.outcome}`);
      sick.push(n.name);
      continue;
    }
    const url = (host: string) => shq(`http://${host}:2381/health?serializable=false`);
    const r = await ctx.exec(n, `curl -sS --max-time 5 ${url('127.0.0.1')} 2>/dev/null || curl -sS --max-time 5 ${url(n.address)}`, 30);
    const ok = /"health"\s*:\s*"?true/.test(r.stdout);
    evidence.push(`${n.name} :2381/health → ${(r.stdout || r.stderr).trim() || r.outcome}`);
    if (ok) healthy++;
    else sick.push(n.name);
  }
  const majority = Math.floor(etcd.length / 2) + 1;
  if (healthy < majority) return { check, status: 'fail', detail: `only ${healthy} of ${etcd.length} etcd members healthy: no quorum (${sick.join(', ')})`, evidence };
  if (sick.length > 0) return { check, status: 'fail', detail: `etcd member(s) ${sick.join(', ')} not healthy`, evidence, node: sick[0] };
  return { check, status: 'pass', detail: `${healthy} of ${etcd.length} etcd members healthy (local probes)`, evidence };
}
