// When neither the API nor the inventory says what a node is (API down, inventory without roles/distro), one small
// extra round trip looks at the node's disk: which distro is installed and whether it holds server state.
import { DISTROS, type Distro, type Role } from '../model/cluster.js';
import type { ExecResult, NodeShell } from '../transports/types.js';
import { shq } from '../util/shell-quote.js';
import { dataDirLines } from './scan-script.js';

export interface Detected {
  distro: Distro | null;
  roles: Role[] | null;
}

export function buildDetectScript(distro: Distro | null, dataDir: string | null): string {
  const candidates = distro ? [distro] : [...DISTROS];
  const lines: string[] = [];
  for (const p of candidates) {
    lines.push(
      `if command -v ${p} >/dev/null 2>&1 || [ -d ${shq(`/etc/rancher/${p}`)} ] || [ -d ${shq(`/var/lib/rancher/${p}`)} ]${dataDir ? ` || [ -d ${shq(dataDir)} ]` : ''}; then`,
      ...dataDirLines(p, dataDir).map((l) => `  ${l}`),
      `  echo "distro ${p}"`,
      '  [ -d "$DD/server/tls" ] && echo "has server"',
      '  [ -d "$DD/server/db/etcd" ] && echo "has etcd"',
      '  [ -f "$DD/agent/pod-manifests/kube-apiserver.yaml" ] && echo "has apiserver-manifest"',
      '  exit 0',
      'fi',
    );
  }
  lines.push('exit 0');
  return `${lines.join('\n')}\n`;
}

export function parseDetect(output: string): Detected {
  const lines = output.split('\n').map((l) => l.trim());
  const distroLine = lines.find((l) => l.startsWith('distro '));
  const distro = (DISTROS as readonly string[]).find((d) => distroLine === `distro ${d}`) as Distro | undefined;
  if (!distro) return { distro: null, roles: null };
  const has = (what: string) => lines.includes(`has ${what}`);
  if (!has('server')) return { distro, roles: ['worker'] };
  const roles: Role[] = [];
  if (has('etcd')) roles.push('etcd');
  // RKE2 runs the apiserver as a static pod, so its manifest marks a control-plane server; a K3s server without
  // etcd data is a control-plane server on an external datastore.
  if (distro === 'k3s' || has('apiserver-manifest') || !has('etcd')) roles.push('control-plane');
  return { distro, roles };
}

/** What the node's disk says, or the failed run itself: its ssh error is what the operator must read. */
export type Detection = { ok: true; detected: Detected } | { ok: false; exec: ExecResult };

export async function detectNode(
  shell: NodeShell,
  distro: Distro | null,
  dataDir: string | null,
  timeoutMs = 15_000,
): Promise<Detection> {
  const result = await shell.run(buildDetectScript(distro, dataDir), { timeoutMs });
  if (result.outcome !== 'ok') return { ok: false, exec: result };
  return { ok: true, detected: parseDetect(result.stdout) };
}
