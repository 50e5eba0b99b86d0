// The etcd gate's probe in one round trip: from one etcd server, with that server's own client certificate (keys
// never leave the node), the member list and the /health of every member keyturn expects — one shell script, so
// a gate between servers costs one command on the peer instead of one per member.
import { shJoin, shq } from '../../util/shell-quote.js';
import { splitSections, type ScanSection } from '../../util/sections.js';
import type { PlannedNode } from '../plan-types.js';

// Fixed, not random: what is split are etcd's own JSON answers over TLS, which cannot hold a line starting with it.
const MARKER = '@@keyturn-etcd@@';

export function etcdCurlArgs(peer: PlannedNode, url: string, post: boolean): string[] {
  const tls = `${peer.dataDir}/server/tls/etcd`;
  const argv = ['curl', '-sS', '--max-time', '5', '--cacert', `${tls}/server-ca.crt`, '--cert', `${tls}/client.crt`, '--key', `${tls}/client.key`];
  if (post) argv.push('-X', 'POST', '-d', '{}');
  return [...argv, url];
}

export const clientUrlOf = (address: string): string => `https://${address}:2379`;
export const healthUrlOf = (clientUrl: string): string => `${clientUrl.replace(/\/$/, '')}/health`;

/**
 * Prints "<marker> list", the member list and "<marker> rc N" (unless withList is false); then the same as
 * "health URL" per client URL.
 */
export function etcdProbeScript(peer: PlannedNode, clientUrls: readonly string[], withList = true): string {
  const section = (kind: string, argv: string[]) =>
    `printf '%s\\n' ${shq(`${MARKER} ${kind}`)}; ${shJoin(argv)} 2>&1; rc=$?; printf '\\n%s\\n' "${MARKER} rc $rc"`;
  return [
    ...(withList ? [section('list', etcdCurlArgs(peer, `${clientUrlOf(peer.address)}/v3/cluster/member/list`, true))] : []),
    ...clientUrls.map((u) => section(`health ${u}`, etcdCurlArgs(peer, healthUrlOf(u), false))),
  ].join('\n');
}

export interface CurlAnswer {
  /** curl's exit code; null when the script was cut before it. */
  rc: number | null;
  /** What curl printed (the answer, or its error message). */
  text: string;
}

export interface EtcdProbe {
  list: CurlAnswer | null;
  /** By client URL as asked. */
  health: Map<string, CurlAnswer>;
}

const answerOf = (s: ScanSection): CurlAnswer => ({ rc: s.rc, text: s.body.trim() });

export function parseEtcdProbe(stdout: string): EtcdProbe {
  const sections = splitSections(stdout, MARKER);
  const list = sections.find((s) => s.kind === 'list');
  const health = new Map<string, CurlAnswer>();
  for (const s of sections) if (s.kind === 'health') health.set(s.arg, answerOf(s));
  return { list: list ? answerOf(list) : null, health };
}
