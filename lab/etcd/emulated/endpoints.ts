// What an emulated member answers, matching real etcd 3.4.23 byte for byte where keyturn reads it (checked with
// curl against the real binary): the grpc-gateway JSON (uint64s as decimal strings, zero values omitted), /health
// without a "reason" field (3.4 has none; 3.5+ adds it), /version, and /metrics. /livez and /readyz are 404 in 3.4.
import { memberIdOf } from '../member-ids.js';
import { clientUrl, peerUrl } from '../types.js';
import type { EmulatedQuorum, MemberView } from './quorum.js';

export const EMULATED_VERSION = '3.4.23';

export type Listener = 'client' | 'metrics';

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const notFound: Reply = { status: 404, contentType: TEXT, body: '404 page not found\n' };
const notAllowed: Reply = { status: 405, contentType: TEXT, body: 'Method Not Allowed\n' };

export function answer(
  quorum: EmulatedQuorum,
  member: string,
  listener: Listener,
  req: { method: string; path: string; body: string },
): Reply {
  const view = quorum.viewOf(member);
  switch (req.path) {
    case '/health':
      return req.method === 'GET' ? health(view) : notAllowed;
    case '/metrics':
      return req.method === 'GET' ? metrics(quorum, member, view) : notAllowed;
    case '/version':
      if (listener === 'metrics') return notFound;
      return {
        status: 200,
        contentType: JSON_TYPE,
        body: JSON.stringify({ etcdserver: EMULATED_VERSION, etcdcluster: '3.4.0' }),
      };
    case '/v3/cluster/member/list':
    case '/v3/maintenance/status': {
      if (listener === 'metrics') return notFound;
      if (req.method !== 'POST') return notAllowed;
      const badBody = checkGatewayBody(req.body);
      if (badBody) return badBody;
      return req.path === '/v3/cluster/member/list' ? memberList(quorum, member) : status(quorum, member, view);
    }
    default:
      return notFound;
  }
}

function health(view: MemberView): Reply {
  const ok = view.kind === 'in-quorum';
  return { status: ok ? 200 : 503, contentType: TEXT, body: JSON.stringify({ health: String(ok) }) };
}

/** The gateway accepts an empty body or any JSON object; anything else is a 400 with gRPC code 3. */
function checkGatewayBody(body: string): Reply | null {
  if (body.trim() === '') return null;
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    const message = (error as Error).message;
    return { status: 400, contentType: JSON_TYPE, body: JSON.stringify({ error: message, message, code: 3 }) };
  }
}

function header(quorum: EmulatedQuorum, member: string, withRevision: boolean) {
  const { term } = quorum.raft();
  return {
    cluster_id: quorum.clusterId,
    member_id: memberIdOf(member),
    ...(withRevision ? { revision: '1' } : {}),
    raft_term: String(term),
  };
}

/** etcd 3.4 answers the member list from its local view, with or without a quorum. */
function memberList(quorum: EmulatedQuorum, member: string): Reply {
  const members = quorum
    .members()
    .map((m) =>
      m.started
        ? { ID: m.id, name: m.name, peerURLs: [peerUrl(m.address)], clientURLs: [clientUrl(m.address)] }
        : { ID: m.id, peerURLs: [peerUrl(m.address)] },
    );
  return {
    status: 200,
    contentType: JSON_TYPE,
    body: JSON.stringify({ header: header(quorum, member, false), members }),
  };
}

/** Without a leader, real 3.4 still answers 200 but omits "leader" and lists "etcdserver: no leader" in errors. */
function status(quorum: EmulatedQuorum, member: string, view: MemberView): Reply {
  const { term, index } = quorum.raft();
  const leader = view.kind === 'in-quorum' ? { leader: memberIdOf(view.leader) } : {};
  const errors = view.kind === 'in-quorum' ? {} : { errors: ['etcdserver: no leader'] };
  const body = {
    header: header(quorum, member, true),
    version: EMULATED_VERSION,
    dbSize: '20480',
    ...leader,
    raftIndex: String(index),
    raftTerm: String(term),
    raftAppliedIndex: String(index),
    ...errors,
    dbSizeInUse: '16384',
  };
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(body) };
}

function metrics(quorum: EmulatedQuorum, member: string, view: MemberView): Reply {
  const hasLeader = view.kind === 'in-quorum' ? 1 : 0;
  const isLeader = view.kind === 'in-quorum' && view.leader === member ? 1 : 0;
  const lines = [
    '# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.',
    '# TYPE etcd_server_has_leader gauge',
    `etcd_server_has_leader ${hasLeader}`,
    '# HELP etcd_server_is_leader Whether or not this member is a leader. 1 if is, 0 otherwise.',
    '# TYPE etcd_server_is_leader gauge',
    `etcd_server_is_leader ${isLeader}`,
    "# HELP etcd_server_version Which version is running. 1 for 'server_version' label with current version.",
    '# TYPE etcd_server_version gauge',
    `etcd_server_version{server_version="${EMULATED_VERSION}"} 1`,
  ];
  return { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body: lines.join('\n') + '\n' };
}
