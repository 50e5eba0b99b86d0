// The cluster's quorum view for real members: ask every running member's /health over TLS with its own client
// certificate, then the leader from a healthy member's maintenance/status mapped to a name by its member list.
import type { EtcdMember } from '../contract.js';
import { readClientCredentials, requestOverTls, type ClientCredentials } from './tls-request.js';
import { memberClientUrl, type EtcdClusterHealth, type EtcdMemberSpec } from './types.js';

const REQUEST_TIMEOUT_MS = 2_000;

type MemberAnswer = { name: string; kind: 'healthy' } | { name: string; kind: 'unhealthy'; why: string };

export async function queryRealHealth(
  specs: EtcdMemberSpec[],
  members: Map<string, EtcdMember>,
): Promise<EtcdClusterHealth> {
  const running = specs.filter((s) => members.get(s.name)?.isRunning()).map((s) => s.name);
  const answers = await Promise.all(specs.filter((s) => running.includes(s.name)).map(askHealth));
  const healthy = answers.filter((a) => a.kind === 'healthy').map((a) => a.name);
  const quorum = Math.floor(specs.length / 2) + 1;
  const leader = healthy.length > 0 ? await findLeaderName(specs.find((s) => s.name === healthy[0])!) : null;
  const problems = [
    ...specs.filter((s) => !running.includes(s.name)).map((s) => `${s.name} stopped`),
    ...answers.flatMap((a) => (a.kind === 'unhealthy' ? [`${a.name}: ${a.why}`] : [])),
  ];
  const summary = `${healthy.length}/${specs.length} members healthy (quorum ${quorum})`;
  const isHealthy = healthy.length >= quorum;
  const reason = [summary, isHealthy ? `leader ${leader ?? 'unknown'}` : 'no quorum', ...problems].join('; ');
  return { healthy: isHealthy, leader: isHealthy ? leader : null, running, reason };
}

async function askHealth(spec: EtcdMemberSpec): Promise<MemberAnswer> {
  const creds = await readClientCredentials(spec.tlsDir);
  if ('error' in creds) return { name: spec.name, kind: 'unhealthy', why: `client certs: ${creds.error}` };
  const reply = await requestOverTls(`${memberClientUrl(spec.address)}/health`, creds, {
    method: 'GET',
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  switch (reply.kind) {
    case 'failed':
      return { name: spec.name, kind: 'unhealthy', why: reply.error };
    case 'reply': {
      const health = parseJson(reply.body)?.health;
      if (reply.status === 200 && health === 'true') return { name: spec.name, kind: 'healthy' };
      return { name: spec.name, kind: 'unhealthy', why: `/health ${reply.status} ${reply.body.trim()}` };
    }
    default: {
      const unknown: never = reply;
      throw new Error(`unexpected reply ${JSON.stringify(unknown)}`);
    }
  }
}

async function findLeaderName(spec: EtcdMemberSpec): Promise<string | null> {
  const creds = await readClientCredentials(spec.tlsDir);
  if ('error' in creds) return null;
  const [status, list] = await Promise.all([
    postGateway(spec, creds, '/v3/maintenance/status'),
    postGateway(spec, creds, '/v3/cluster/member/list'),
  ]);
  const leaderId = status?.leader;
  const members = list?.members;
  if (typeof leaderId !== 'string' || !Array.isArray(members)) return null;
  const leader = members.find((m: { ID?: unknown }) => m.ID === leaderId) as { name?: unknown } | undefined;
  return typeof leader?.name === 'string' && leader.name !== '' ? leader.name : null;
}

async function postGateway(
  spec: EtcdMemberSpec,
  creds: ClientCredentials,
  path: string,
): Promise<Record<string, unknown> | null> {
  const reply = await requestOverTls(`${memberClientUrl(spec.address)}${path}`, creds, {
    method: 'POST',
    body: '{}',
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  return reply.kind === 'reply' && reply.status === 200 ? parseJson(reply.body) : null;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
