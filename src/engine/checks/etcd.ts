// etcd quorum between the nodes of a rotation. Every etcd server is probed on itself, all at once (one round
// trip in time): its own member's health on 127.0.0.1:2381, the member list and status on its loopback
// (etcd-probe.ts). Upstream serves no HTTP to peers since k3s#8402, so a member's health is read on its own node.
// The member list comes from a healthy server other than the changed one when there is one ("from another healthy
// etcd server"); every member in it must map to a node of the plan, be healthy, and a majority must be.
// Whether a member is down is etcd's own answer — nothing listening on its node's 127.0.0.1:2381 — not the unit's
// state: `systemctl stop rke2-server` leaves the etcd static pod running (rke2-server.service KillMode=process).
import type { EtcdProbe } from '../../discovery/etcd-local-probe.js';
import { urlHost, type EtcdMemberEntry } from '../../discovery/parse-etcd.js';
import type { ExecResult } from '../../transports/types.js';
import type { StepContext } from '../context.js';
import type { GateCheckResult } from '../events.js';
import type { PlannedNode } from '../plan-types.js';
import { etcdProbeScript, parseEtcdProbe } from './etcd-probe.js';

export interface ServerProbe {
  node: PlannedNode;
  /** Null when the script's output held no probe (the node could not be reached). */
  probe: EtcdProbe | null;
  /** Why not, in the transport's words. */
  failure: string;
}

/** One probe script per etcd server, all at once. */
export async function probeEtcdServers(
  ctx: StepContext,
  kinds?: Parameters<typeof etcdProbeScript>[1],
): Promise<ServerProbe[]> {
  const servers = ctx.plan.nodes.filter((n) => n.etcd);
  return Promise.all(
    servers.map(async (node) => {
      const r = await ctx.exec(node, etcdProbeScript(node, kinds), 60);
      return { node, probe: parseEtcdProbe(r.stdout), failure: failureOf(r) };
    }),
  );
}

function failureOf(r: ExecResult): string {
  return `${r.outcome}${r.code !== null ? ` (exit ${r.code})` : ''} ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`.trim();
}

export type MemberState = { kind: 'healthy' } | { kind: 'down'; why: string } | { kind: 'unhealthy'; why: string };

/** A server's own member: healthy, down (nothing listens on its loopback), or unhealthy (with etcd's or curl's words). */
export function memberStateOf(s: ServerProbe): MemberState {
  const p = s.probe;
  if (!p) return { kind: 'unhealthy', why: `node not reached: ${s.failure}` };
  if (!p.listening)
    return { kind: 'down', why: `nothing listens on 127.0.0.1:2381 (${p.health.ok ? 'no answer' : p.health.error})` };
  if (!p.health.ok) return { kind: 'unhealthy', why: p.health.error };
  if (!p.health.value.healthy)
    return { kind: 'unhealthy', why: `/health false${p.health.value.reason ? ` (${p.health.value.reason})` : ''}` };
  return { kind: 'healthy' };
}

function describe(state: MemberState): string {
  switch (state.kind) {
    case 'healthy':
      return 'healthy';
    case 'down':
      return `not running: ${state.why}`;
    case 'unhealthy':
      return `unhealthy: ${state.why}`;
    default: {
      const unknown: never = state;
      throw new Error(`unexpected member state ${JSON.stringify(unknown)}`);
    }
  }
}

/** The plan's node a member runs on: by its peer or client URL host, else by name (RKE2/K3s name members <node>-<hex>). */
export function nodeOfMember(servers: readonly PlannedNode[], m: EtcdMemberEntry): PlannedNode | undefined {
  const hosts = [...m.peerURLs, ...m.clientURLs].map(urlHost);
  return (
    servers.find((n) => hosts.includes(n.address)) ??
    servers.find((n) => m.name !== '' && (m.name === n.name || m.name.startsWith(`${n.name}-`)))
  );
}

/** The verdict from every server's probe; pure, so a test can hand it any cluster's answers. */
export function assessQuorum(
  probes: readonly ServerProbe[],
  changed: string,
  when: 'always' | 'majority-started',
): GateCheckResult {
  const check = 'etcd-quorum';
  const total = probes.length;
  const states = new Map(probes.map((s) => [s.node.name, memberStateOf(s)]));
  const evidence = probes.map((s) => `${s.node.name} 127.0.0.1:2381/health → ${describe(states.get(s.node.name)!)}`);
  const majority = Math.floor(total / 2) + 1;
  if (when === 'majority-started') {
    const running = [...states.values()].filter((s) => s.kind !== 'down').length;
    if (running < majority)
      return {
        check,
        status: 'skipped',
        detail: `${running} of ${total} etcd members running: quorum needs ${majority}`,
        evidence,
      };
  }
  // The member list from a healthy server, another than the changed one first.
  const healthyFirst = [...probes].sort((a, b) => rank(a, states, changed) - rank(b, states, changed));
  const source = healthyFirst.find((s) => s.probe?.members.ok);
  if (!source?.probe?.members.ok) {
    const why = probes.map(
      (s) => `${s.node.name}: ${s.probe ? (s.probe.members.ok ? 'ok' : s.probe.members.error) : s.failure}`,
    );
    return { check, status: 'fail', detail: `no etcd server answered the member list (${why.join('; ')})`, evidence };
  }
  const members = source.probe.members.value.members;
  if (members.length === 0)
    return { check, status: 'fail', detail: `member list from ${source.node.name} is empty`, evidence };
  const servers = probes.map((s) => s.node);
  const stranger = members.find((m) => !nodeOfMember(servers, m));
  if (stranger) {
    const where = stranger.peerURLs[0] ?? stranger.clientURLs[0] ?? 'no URL';
    return {
      check,
      status: 'fail',
      detail: `etcd member ${stranger.name || stranger.id} (${where}) is on no node keyturn knows: its health can only be read on its own node — add that node to the inventory`,
      evidence,
    };
  }
  const sick: string[] = [];
  let waiting = 0;
  for (const m of members) {
    const node = nodeOfMember(servers, m)!;
    const state = states.get(node.name)!;
    evidence.push(`member ${m.name || m.id} on ${node.name}: ${describe(state)}`);
    if (state.kind === 'healthy') continue;
    if (state.kind === 'down' && when === 'majority-started') waiting++;
    else sick.push(node.name);
  }
  for (const s of servers.filter((n) => !members.some((m) => nodeOfMember(servers, m) === n)))
    evidence.push(`${s.name}: not in the member list`);
  const leader = leaderName(probes, members);
  if (leader) evidence.push(`leader: ${leader}`);
  if (sick.length > 0)
    return {
      check,
      status: 'fail',
      detail: `${sick.length} of ${members.length} etcd members unhealthy: ${sick.join(', ')} (asked ${source.node.name})`,
      evidence,
    };
  const healthyCount = members.length - waiting;
  if (healthyCount <= members.length / 2)
    return {
      check,
      status: 'fail',
      detail: `only ${healthyCount} of ${members.length} members healthy: no quorum`,
      evidence,
    };
  const rest = waiting > 0 ? `, ${waiting} not started yet` : '';
  return {
    check,
    status: 'pass',
    detail: `${healthyCount} members healthy${rest}${leader ? `, leader ${leader}` : ''} (asked ${source.node.name})`,
    evidence,
  };
}

function rank(s: ServerProbe, states: Map<string, MemberState>, changed: string): number {
  return (states.get(s.node.name)?.kind === 'healthy' ? 0 : 2) + (s.node.name === changed ? 1 : 0);
}

/** The leader's member name, from a healthy server's status. */
function leaderName(probes: readonly ServerProbe[], members: readonly EtcdMemberEntry[]): string | null {
  for (const s of probes) {
    const status = s.probe?.status;
    const id = status?.ok ? status.value.leader : null;
    const m = id ? members.find((x) => x.id === id) : undefined;
    if (m) return m.name || m.id;
  }
  return null;
}

export async function checkEtcdQuorum(
  ctx: StepContext,
  when: 'always' | 'majority-started' = 'always',
): Promise<GateCheckResult> {
  return assessQuorum(await probeEtcdServers(ctx), ctx.node.name, when);
}
