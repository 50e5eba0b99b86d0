// The "one parallel round trip per node" limit: run one trivial command (`sh -c true`, sh looked up on the node's
// PATH exactly as keyturn's local transport does, so the lab's latency applies) on every node, with at most
// `limit` in flight, from this already-warm process. This is the least time any scan that makes one round trip per
// node with that parallelism can take, before doing any work on the node or locally.
import { spawn } from 'node:child_process';
import { SCAN_CONCURRENCY } from '../../../src/discovery/pool.js';
import type { Role } from '../../../src/model/cluster.js';
import type { InventoryEntry } from './bench-lab.js';

/** The default bounded parallelism keyturn's discovery uses (read from its source, so it stays in step). */
export function keyturnConcurrency(): { value: number; from: string } {
  return { value: SCAN_CONCURRENCY, from: 'SCAN_CONCURRENCY in src/discovery/pool.ts (the limiter every scan shares)' };
}

function runTrivial(node: InventoryEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', 'true'], {
      env: { ...process.env, ...node.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`sh -c true on ${node.name} exited ${code}`)),
    );
  });
}

async function mapLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Wall time (ms) for one trivial round trip to every node, `limit` at a time. */
export async function timeParallelRoundTrips(nodes: readonly InventoryEntry[], limit: number): Promise<number> {
  const started = performance.now();
  await mapLimited(nodes, limit, runTrivial);
  return performance.now() - started;
}

/**
 * One round trip per node carrying keyturn's real work: its own scan script (src/discovery/scan-script.ts, the
 * same one `keyturn status` sends), run through each node's shell, `limit` at a time, from this warm process.
 * This is the floor for a design that makes one round trip per node: the node-side work and the latency, with no
 * process start-up, API calls, parsing or checks. Returns the wall time; throws if a node's script did not finish.
 */
export async function timeScanRoundTrips(nodes: readonly InventoryEntry[], limit: number): Promise<number> {
  const { buildScanScript, newMarker } = await import('../../../src/discovery/scan-script.js');
  const etcd = nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.address);
  const scripts = nodes.map((n) => {
    const marker = newMarker();
    const roles = n.roles.filter((r): r is Role => r === 'etcd' || r === 'control-plane' || r === 'worker');
    const script = buildScanScript({
      distro: n.distro === 'k3s' ? 'k3s' : 'rke2',
      roles,
      address: n.address,
      dataDir: n.dataDir,
      etcdPeers: etcd.filter((a) => a !== n.address),
      journalLines: 40,
      marker,
    });
    return { node: n, script, end: `${marker} end` };
  });
  const started = performance.now();
  await mapLimited(scripts, limit, ({ node, script, end }) => runScript(node, script, end));
  return performance.now() - started;
}

function runScript(node: InventoryEntry, script: string, end: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      env: { ...process.env, ...node.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', () =>
      out.includes(end) ? resolve() : reject(new Error(`scan script on ${node.name} did not finish`)),
    );
  });
}
