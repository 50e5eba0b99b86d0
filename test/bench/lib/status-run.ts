// Runs `keyturn status --json` (dist) against a lab and checks that the answer is a real scan: one JSON document
// with every lab node reached and its certificates read. Otherwise the time means nothing and we say why.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchLab } from './bench-lab.js';
import { keyturnArgs, runTimed, stderrTail } from './proc.js';

interface StatusDoc {
  cluster?: { source?: string; apiReachable?: boolean };
  nodes?: { name: string; reachable?: boolean; certificates?: unknown[] }[];
  checks?: { id: string; status: string; detail: string }[];
}

export interface StatusTiming {
  ms: number;
  exitCode: number | null;
  certificates: number;
}

const isolatedDirs: string[] = [];

/** Removes the config/state directories that isolatedEnv() made. */
export async function removeIsolatedDirs(): Promise<void> {
  await Promise.all(isolatedDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Environment with a fresh KEYTURN_CONFIG_DIR and KEYTURN_STATE_DIR, so runs neither read nor touch the user's. */
export async function isolatedEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-bench-cfg-'));
  isolatedDirs.push(dir);
  return { ...process.env, KEYTURN_CONFIG_DIR: path.join(dir, 'config'), KEYTURN_STATE_DIR: path.join(dir, 'state') };
}

/** Times one `keyturn status --json`; throws (with the reason) when the scan did not read every node. */
export async function timeStatus(lab: BenchLab, env: NodeJS.ProcessEnv): Promise<StatusTiming> {
  const args = [...keyturnArgs, 'status', '--json', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory];
  const r = await runTimed(process.execPath, args, { env, timeoutMs: 180_000 });
  if (r.timedOut) throw new Error('keyturn status did not finish within 180 s');
  let doc: StatusDoc;
  try {
    doc = JSON.parse(r.stdout) as StatusDoc;
  } catch {
    throw new Error(`keyturn status --json printed no JSON document (exit ${r.code}): ${stderrTail(r)}`);
  }
  const nodes = doc.nodes ?? [];
  const reached = nodes.filter((n) => n.reachable && (n.certificates?.length ?? 0) > 0);
  if (nodes.length !== lab.nodes.length || reached.length !== lab.nodes.length) {
    const nodesCheck = doc.checks?.find((c) => c.id === 'nodes')?.detail ?? '';
    const why = nodesCheck.split(';')[0]?.slice(0, 200) ?? '';
    throw new Error(
      `keyturn status read ${reached.length} of ${lab.nodes.length} lab nodes (listed ${nodes.length}, source ${doc.cluster?.source ?? '?'})${why ? `: ${why}` : ''}`,
    );
  }
  const certificates = nodes.reduce((sum, n) => sum + (n.certificates?.length ?? 0), 0);
  return { ms: r.ms, exitCode: r.code, certificates };
}
