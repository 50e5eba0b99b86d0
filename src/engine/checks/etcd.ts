// etcd quorum, checked from another healthy etcd server with that server's own client certs (keys never leave
// the nodes): POST /v3/cluster/member/list, then GET /health on every member's client URL — in one round trip
// to that server (etcd-probe.ts), since a gate runs between every two servers of a rotation.
import { shJoin } from '../../util/shell-quote.js';
import { clientUrlOf, etcdProbeScript, parseEtcdProbe, type CurlAnswer } from './etcd-probe.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import type { PlannedNode } from '../plan-types.js';

interface Member {
  name: string;
  clientURLs: string[];
}

function parseMembers(text: string): Member[] | null {
  try {
    const doc = JSON.parse(text) as { members?: { name?: string; clientURLs?: string[] }[] };
    if (!Array.isArray(doc.members)) return null;
    return doc.members.map((m) => ({ name: m.name ?? '(unnamed)', clientURLs: Array.isArray(m.clientURLs) ? m.clientURLs : [] }));
  } catch {
    return null;
  }
}

function healthy(text: string): boolean {
  try {
    const doc = JSON.parse(text) as { health?: unknown };
    return doc.health === 'true' || doc.health === true;
  } catch {
    return false;
  }
}

/** etcd servers to ask, the changed node last: "from another healthy server". */
function peersFor(ctx: StepContext): PlannedNode[] {
  const etcd = ctx.plan.nodes.filter((n) => n.etcd);
  return [...etcd.filter((n) => n.name !== ctx.node.name), ...etcd.filter((n) => n.name === ctx.node.name)];
}

/** Addresses of etcd servers whose unit runs (active or activating); asked of every server at once. */
async function runningEtcdServers(ctx: StepContext): Promise<Set<string>> {
  const servers = ctx.plan.nodes.filter((x) => x.etcd);
  const states = await Promise.all(servers.map((n) => ctx.exec(n, `${shJoin(['systemctl', 'is-active', n.unit])} || true`, 30)));
  return new Set(servers.filter((_, i) => ['active', 'activating'].includes(states[i].stdout.trim())).map((n) => n.address));
}

const sameUrl = (a: string, b: string) => a.replace(/\/$/, '') === b.replace(/\/$/, '');

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** The plan's node serving a member's client URL (member names carry a suffix on real clusters), else its name. */
function nodeOfMember(ctx: StepContext, member: string, url: string): string {
  return ctx.plan.nodes.find((n) => n.etcd && n.address === hostOf(url))?.name ?? member;
}

export async function checkEtcdQuorum(ctx: StepContext, when: 'always' | 'majority-started' = 'always'): Promise<GateCheckResult> {
  const check = 'etcd-quorum';
  const total = ctx.plan.nodes.filter((n) => n.etcd).length;
  // While etcd servers are started one by one, members not started yet are expected down: demand a healthy
  // majority and every running member healthy.
  let running: Set<string> | null = null;
  if (when === 'majority-started') {
    running = await runningEtcdServers(ctx);
    const majority = Math.floor(total / 2) + 1;
    if (running.size < majority) return { check, status: 'skipped', detail: `${running.size} of ${total} etcd servers running: quorum needs ${majority}` };
  }
  const evidence: string[] = [];
  const expected = ctx.plan.nodes.filter((n) => n.etcd).map((n) => clientUrlOf(n.address));
  for (const peer of peersFor(ctx)) {
    const r = await ctx.exec(peer, etcdProbeScript(peer, expected), 60);
    const probe = parseEtcdProbe(r.stdout);
    const members = probe.list?.rc === 0 ? parseMembers(probe.list.text) : null;
    if (!members) {
      evidence.push(`${peer.name}: member list failed: ${r.outcome} ${probe.list?.text || r.stderr.trim() || r.stdout.trim()}`.trim());
      continue;
    }
    // A member keyturn did not expect (not in the plan) is asked in a second round trip.
    const unasked = members.map((m) => m.clientURLs[0]).filter((u): u is string => !!u && ![...probe.health.keys()].some((k) => sameUrl(k, u)));
    const more = unasked.length > 0 ? parseEtcdProbe((await ctx.exec(peer, etcdProbeScript(peer, unasked, false), 60)).stdout).health : new Map<string, CurlAnswer>();
    const answerFor = (url: string): CurlAnswer | undefined => [...probe.health, ...more].find(([k]) => sameUrl(k, url))?.[1];
    const sick: string[] = [];
    const sickNames: string[] = [];
    let waiting = 0;
    for (const m of members) {
      const url = m.clientURLs[0];
      if (!url) {
        sick.push(`${m.name}: no client URL (learner or not started)`);
        sickNames.push(m.name);
        continue;
      }
      const h = answerFor(url);
      const line = `${m.name} ${url}/health → ${h ? h.text || `curl exit ${h.rc}` : `no answer (${r.outcome})`}`;
      evidence.push(line);
      if (h?.rc === 0 && healthy(h.text)) continue;
      if (running && !running.has(hostOf(url))) {
        waiting++;
        evidence.push(`${m.name}: not started yet`);
      } else {
        sick.push(line);
        sickNames.push(nodeOfMember(ctx, m.name, url));
      }
    }
    if (members.length === 0) return { check, status: 'fail', detail: `member list from ${peer.name} is empty`, evidence };
    if (sick.length > 0) return { check, status: 'fail', detail: `${sick.length} of ${members.length} etcd members unhealthy: ${sickNames.join(', ')} (asked ${peer.name})`, evidence };
    const healthyCount = members.length - waiting;
    if (healthyCount <= members.length / 2) return { check, status: 'fail', detail: `only ${healthyCount} of ${members.length} members healthy: no quorum`, evidence };
    const rest = waiting > 0 ? `, ${waiting} not started yet` : '';
    return { check, status: 'pass', detail: `${healthyCount} members healthy${rest} (asked ${peer.name})`, evidence };
  }
  return { check, status: 'fail', detail: 'no etcd server answered the member list', evidence };
}
