// Whether this node's own etcd member is down, asked on the node itself: the member's plain-HTTP listener is
// http://127.0.0.1:2381 (listen-metrics-urls; the node address too only with etcd-expose-metrics), so a refused
// connection on both means no member process listens. A timeout or any answer means it is still there.
import { shq } from '../../util/shell-quote.js';
import type { PlannedNode } from '../plan-types.js';

const CURL_REFUSED = 7;

export function memberStoppedScript(node: PlannedNode): string {
  const urls = ['127.0.0.1', node.address].map((host) => shq(`http://${host}:2381/health`)).join(' ');
  return `for u in ${urls}; do curl -sS --max-time 3 -o /dev/null "$u" 2>/dev/null; echo "$? $u"; done`;
}

export interface MemberStoppedReading {
  stopped: boolean;
  detail: string;
}

export function readMemberStopped(node: PlannedNode, stdout: string): MemberStoppedReading {
  if (!node.etcd) return { stopped: true, detail: `${node.name} runs no etcd member` };
  const rows = stdout
    .trim()
    .split('\n')
    .map((l) => /^(\d+) (\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  if (rows.length === 0)
    return { stopped: false, detail: `no probe answer from ${node.name}: ${stdout.trim() || 'empty'}` };
  const alive = rows.filter((m) => Number(m[1]) !== CURL_REFUSED);
  if (alive.length === 0)
    return { stopped: true, detail: `etcd member on ${node.name} stopped (:2381 refuses connections)` };
  const what = (code: number) =>
    code === 0 ? 'answers' : code === 127 ? 'cannot be probed: curl missing' : `curl exit ${code}`;
  return {
    stopped: false,
    detail: `etcd member on ${node.name} still running: ${alive.map((m) => `${m[2]} ${what(Number(m[1]))}`).join('; ')}`,
  };
}
