// etcd quorum, checked from another healthy etcd server with that server's own client certs (keys never leave
// the nodes): POST /v3/cluster/member/list, then GET /health on every member's client URL.
import { shJoin } from '../../util/shell-quote.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import type { PlannedNode } from '../plan-types.js';

interface Member {
  name: string;
  clientURLs: string[];
}

export function etcdCurl(peer: PlannedNode, url: string, post: boolean): string {
  const tls = `${peer.dataDir}/server/tls/etcd`;
  const argv = ['curl', '-sS', '--max-time', '5', '--cacert', `${tls}/server-ca.crt`, '--cert', `${tls}/client.crt`, '--key', `${tls}/client.key`];
  if (post) argv.push('-X', 'POST', '-d', '{}');
  return shJoin([...argv, url]);
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

/** Addresses of etcd servers whose unit runs (active or activating). */
async function runningEtcdServers(ctx: StepContext): Promise<Set<string>> {
  const running = new Set<string>();
  for (const n of ctx.plan.nodes.filter((x) => x.etcd)) {
    const r = await ctx.exec(n, `${shJoin(['systemctl', 'is-active', n.unit])} || true`, 30);
    if (['active', 'activating'].includes(r.stdout.trim())) running.add(n.address);
  }
  return running;
}

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
  for (const peer of peersFor(ctx)) {
    const list = await ctx.exec(peer, etcdCurl(peer, `https://${peer.address}:2379/v3/cluster/member/list`, true), 30);
    const members = list.outcome === 'ok' ? parseMembers(list.stdout) : null;
    if (!members) {
      evidence.push(`${peer.name}: member list failed: ${list.outcome} ${list.stderr.trim() || list.stdout.trim()}`.trim());
      continue;
    }
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
      const h = await ctx.exec(peer, etcdCurl(peer, `${url.replace(/\/$/, '')}/health`, false), 30);
      const line = `${m.name} ${url}/health → ${(h.stdout || h.stderr).trim() || h.outcome}`;
      evidence.push(line);
      if (h.outcome === 'ok' && healthy(h.stdout)) continue;
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
