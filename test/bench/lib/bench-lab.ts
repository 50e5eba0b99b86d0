// Starts `keyturn lab up` from dist (what users run), measures the time to its `lab ready` line, and always stops it:
// SIGTERM and await exit (SIGKILL after a grace period), then remove its directory. Every lab started here is
// tracked, so run.ts can stop any that are still up when the process is interrupted.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { awaitReady, terminate, type LabInventoryNode } from '../../support/lab.js';
import { keyturnArgs, repoRoot, runTimed, stderrTail } from './proc.js';

export interface BenchLabOptions {
  topology: string;
  net: string;
  etcd?: 'auto' | 'real' | 'emulated';
  speed?: number;
  distro?: 'rke2' | 'k3s';
  readyTimeoutMs?: number;
}

export type InventoryEntry = LabInventoryNode;

export interface BenchLab {
  dir: string;
  kubeconfig: string;
  inventory: string;
  net: string;
  readyLine: string;
  /** Wall time from spawn to the `lab ready` line. */
  readyMs: number;
  /** The "in X s" the lab itself reports (its controller's time, without Node start-up). */
  reportedMs: number | null;
  nodes: InventoryEntry[];
  fault(name: string, args?: string[], node?: string): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<BenchLab>();

export async function stopAllLabs(): Promise<void> {
  await Promise.all([...live].map((lab) => lab.stop().catch(() => undefined)));
}

export async function startBenchLab(opts: BenchLabOptions): Promise<BenchLab> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-bench-lab-'));
  const args = [...keyturnArgs, 'lab', 'up', '--dir', dir, '--net', opts.net, '--topology', opts.topology];
  args.push('--speed', String(opts.speed ?? 20), '--etcd', opts.etcd ?? 'auto', '--distro', opts.distro ?? 'rke2');
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= terminate(child).then(() => rm(dir, { recursive: true, force: true }));
    return stopped;
  };
  let readyLine: string;
  try {
    readyLine = await awaitReady(child, opts.readyTimeoutMs ?? 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const readyMs = performance.now() - started;
  const reported = /\bin ([\d.]+)s\b/.exec(readyLine);
  const inventoryPath = path.join(dir, 'inventory.yaml');
  const inventory = parse(await readFile(inventoryPath, 'utf8')) as { nodes: InventoryEntry[] };
  const lab: BenchLab = {
    dir,
    kubeconfig: path.join(dir, 'kubeconfig'),
    inventory: inventoryPath,
    net: opts.net,
    readyLine,
    readyMs,
    reportedMs: reported ? Number(reported[1]) * 1000 : null,
    nodes: inventory.nodes,
    async fault(name, faultArgs = [], node) {
      const argv = [
        ...keyturnArgs,
        'lab',
        'fault',
        name,
        ...faultArgs,
        '--dir',
        dir,
        ...(node ? ['--node', node] : []),
      ];
      const r = await runTimed(process.execPath, argv, { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`lab fault ${name} failed (exit ${r.code}): ${stderrTail(r)}`);
    },
    async stop() {
      live.delete(lab);
      await stop();
    },
  };
  live.add(lab);
  return lab;
}
