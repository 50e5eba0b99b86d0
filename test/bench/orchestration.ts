// Benchmark 5: orchestration overhead per node during a rotation (rotate-certs on the 7-node split lab).
// `keyturn run` is the user's way in; while it cannot run non-interactively, the engine is driven through its own
// API (planRun → createRun → driveRun) with the same ports the CLI would build: local node shells from the lab's
// inventory, the kube gateway, a real clock whose sleeps are timed, an operator who confirms every node (typing
// its name where asked), an in-memory journal and a counting log sink.
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { RunEvent } from '../../src/engine/events.js';
import type { Clock, ConfirmAnswer, ConfirmRequest, RunPorts } from '../../src/engine/ports.js';
import type { Recipe } from '../../src/recipe-schema/types.js';
import type { InventoryNode } from '../../src/model/inventory.js';
import type { ExecOptions, NodeShell } from '../../src/transports/types.js';
import { startBenchLab, type BenchLab } from './lib/bench-lab.js';
import { keyturnArgs, runTimed, stderrTail } from './lib/proc.js';
import { fmtMs, median } from './lib/stats.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';

const LAB_SPEED = Number(process.env.BENCH_ORCH_SPEED ?? 50);
const SETTLE_S = Number(process.env.BENCH_ORCH_SETTLE ?? 1);
const TARGET_MS = 300;

export interface Breakdown {
  nodes: number;
  /** Wall time with a node command in flight or an engine sleep running (waves: nodes overlap). */
  busyWallMs: number;
  /** The run's journal (wave and step timings). */
  events: RunEvent[];
  totalMs: number;
  sleepMs: number;
  execMs: number;
  /** Wall time with at least one node command in flight (a gate's checks run at once, so they overlap). */
  execWallMs: number;
  execCount: number;
  labWaitMs: number;
  labCommands: number;
  outcome: string;
  logLines: number;
}

class TimedClock implements Clock {
  sleptMs = 0;
  readonly spans: [number, number][] = [];
  constructor(private readonly origin: () => number) {}
  now(): number {
    return Date.now();
  }
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    this.sleptMs += performance.now() - started;
    this.spans.push([started - this.origin(), performance.now() - this.origin()]);
  }
}

/** Sum of the lab's simulated service transitions (activating → active, deactivating → inactive) in its record. */
async function labWaits(lab: BenchLab, sinceIso: string): Promise<{ waitMs: number; commands: number }> {
  const text = await readFile(path.join(lab.dir, 'record.jsonl'), 'utf8');
  const entries = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; type: string; node?: string; from?: string; to?: string });
  const recent = entries.filter((e) => e.t >= sinceIso);
  const open = new Map<string, number>();
  let waitMs = 0;
  for (const e of recent) {
    if (e.type !== 'service' || !e.node) continue;
    const t = Date.parse(e.t);
    if (e.to === 'activating' || e.to === 'deactivating') open.set(e.node, t);
    else if (open.has(e.node)) {
      waitMs += t - open.get(e.node)!;
      open.delete(e.node);
    }
  }
  return { waitMs, commands: recent.filter((e) => e.type === 'command').length };
}

/** Total length of the union of [start, end] spans. */
function unionMs(spans: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** One rotate-certs over the lab through the engine; `agentWave`: agents in waves (test/bench/waves.ts). */
export async function driveRotation(
  lab: BenchLab,
  options: { agentWave?: import('../../src/engine/plan-types.js').AgentWaveSize } = {},
): Promise<Breakdown> {
  const [
    { findRecipe },
    { planRun },
    { createRun, driveRun, newRunId },
    { discoverCluster },
    { loadInventory },
    { loadKubeGateway },
    { createNodeShell },
  ] = await Promise.all([
    import('../../recipes/index.js'),
    import('../../src/engine/plan.js'),
    import('../../src/engine/driver.js'),
    import('../../src/discovery/discover.js'),
    import('../../src/discovery/inventory.js'),
    import('../../src/transports/kube-gateway.js'),
    import('../../src/transports/node-shell.js'),
  ]);
  const base = findRecipe('rotate-certs');
  if (!base) throw new Error('no rotate-certs recipe');
  // The same recipe with every settle window shortened: those are deliberate waits, subtracted anyway.
  const recipe: Recipe = JSON.parse(JSON.stringify(base)) as Recipe;
  for (const phase of recipe.phases)
    for (const step of phase.steps) if (step.kind === 'settle') step.seconds = SETTLE_S;

  const inventory = await loadInventory(lab.inventory);
  const gateway = await loadKubeGateway({ kubeconfig: lab.kubeconfig, timeoutMs: 10_000 });
  const controlDir = path.join(os.tmpdir(), `kt-bench-ssh-${process.pid}`);
  const byName = new Map<string, InventoryNode>(inventory.nodes.map((n) => [n.name, n]));
  const report = await discoverCluster({
    gateway,
    inventory,
    remembered: null,
    shellFor: (n) => createNodeShell(n, { controlDir }),
    now: new Date(),
  });
  const unreached = report.nodes.filter((n) => !n.reachable).map((n) => n.name);
  if (unreached.length > 0) throw new Error(`discovery did not reach ${unreached.join(', ')}`);
  const nodeFacts = Object.fromEntries(inventory.nodes.map((n) => [n.name, { distro: n.distro, dataDir: n.dataDir }]));
  const runId = newRunId('rotate-certs', Date.now());
  const planned = planRun(recipe, report, { runId, settleSeconds: SETTLE_S, nodeFacts, ...options });
  if (!planned.ok) throw new Error(`plan refused: ${planned.refusal.reason}`);

  // BENCH_ORCH_TRACE=1: log every node command (start, node, duration, script) to see where a node's time goes.
  const trace: string[] | null = process.env.BENCH_ORCH_TRACE === '1' ? [] : null;
  let started = performance.now();
  const clock = new TimedClock(() => started);
  let execMs = 0;
  const execSpans: [number, number][] = [];
  let execCount = 0;
  const shells = new Map<string, NodeShell>();
  const shellOf = (name: string): NodeShell => {
    let shell = shells.get(name);
    if (!shell) {
      const node = byName.get(name);
      if (!node) throw new Error(`no inventory entry for ${name}`);
      const real = createNodeShell(node, { controlDir });
      shell = {
        ...real,
        node: real.node,
        async run(script: string, options?: ExecOptions) {
          const at = performance.now() - started;
          const r = await real.run(script, options);
          execMs += r.durationMs;
          execSpans.push([at, performance.now() - started]);
          execCount += 1;
          trace?.push(
            `${fmtMs(at).padStart(8)} ${name.padEnd(10)} ${String(Math.round(r.durationMs)).padStart(5)} ms  ${script.replace(/\s+/g, ' ').slice(0, 110)}`,
          );
          return r;
        },
      };
      shells.set(name, shell);
    }
    return shell;
  };
  const events: RunEvent[] = [];
  let logLines = 0;
  const ports: RunPorts = {
    shell: shellOf,
    kube: gateway,
    clock,
    confirm: {
      async confirmNode(req: ConfirmRequest): Promise<ConfirmAnswer> {
        return { answer: 'run', ...(req.requireTypedName ? { typedName: req.node } : {}) };
      },
      async pause() {
        return 'continue';
      },
    },
    journal: { append: async (e) => void events.push(e) },
    log: { emit: (e) => void (e.type === 'line' && (logLines += 1)) },
  };
  const operator = { user: 'bench', host: os.hostname() };
  const sinceIso = new Date().toISOString();
  started = performance.now();
  const created = await createRun(ports, { plan: planned.plan, operator, cluster: { server: gateway.server } });
  if (!created.ok) throw new Error(created.reason);
  const final = await driveRun(created.state, ports, { operator, resumed: false }, new AbortController().signal);
  const totalMs = performance.now() - started;
  if (trace) process.stderr.write(`${trace.join('\n')}\n`);
  await Promise.all([...shells.values()].map((s) => s.dispose()));
  const outcome =
    final.outcome.status === 'stopped'
      ? `stopped (${'reason' in final.outcome ? String(final.outcome.reason) : '?'}${'detail' in final.outcome ? `: ${String(final.outcome.detail)}` : ''})`
      : final.outcome.status;
  if (final.outcome.status !== 'succeeded') {
    const failure = [...events].reverse().find((e) => e.type === 'run-failed');
    throw new Error(
      `rotate-certs did not succeed: ${outcome}${failure && failure.type === 'run-failed' ? ` — ${failure.failure.message}` : ''}`,
    );
  }
  const lab2 = await labWaits(lab, sinceIso);
  return {
    nodes: planned.plan.nodes.length,
    totalMs,
    sleepMs: clock.sleptMs,
    execMs,
    execWallMs: unionMs(execSpans),
    busyWallMs: unionMs([...execSpans, ...clock.spans]),
    events,
    execCount,
    labWaitMs: lab2.waitMs,
    labCommands: lab2.commands,
    outcome,
    logLines,
  };
}

/** Does `keyturn run rotate-certs` work without a terminal yet? One line saying so, for the notes. */
async function probeCli(lab: BenchLab): Promise<string> {
  const r = await runTimed(
    process.execPath,
    [...keyturnArgs, 'run', 'rotate-certs', '--kubeconfig', lab.kubeconfig, '--inventory', lab.inventory],
    { timeoutMs: 15_000 },
  );
  if (r.timedOut)
    return '`keyturn run rotate-certs` with no terminal did not finish within 15 s (waiting for a confirmation?)';
  return `\`keyturn run rotate-certs\` with no terminal: exit ${r.code}, "${stderrTail(r).slice(0, 160)}"`;
}

export const orchestrationBench: Bench = {
  id: 'orchestration',
  title: '5. Orchestration overhead per node (rotate-certs)',
  async run(ctx: BenchContext) {
    const metric = 'split lab (7 nodes): (total − simulated waits) / nodes';
    const target = `< ${TARGET_MS} ms per node`;
    let lab: BenchLab;
    try {
      lab = await startBenchLab({ topology: 'split', net: ctx.nextNet(), etcd: 'auto', speed: LAB_SPEED });
    } catch (error) {
      return {
        id: this.id,
        title: this.title,
        rows: [notMeasured(metric, target, `lab up failed: ${reasonOf(error)}`)],
        notes: [],
      };
    }
    const rows: Row[] = [];
    const notes: string[] = [];
    try {
      notes.push(await probeCli(lab).catch((e: unknown) => `keyturn run probe failed: ${reasonOf(e)}`));
      const runs: Breakdown[] = [];
      let failure: string | null = null;
      // Each run rotates the same lab again: rotate-certs is repeatable (new leaves under the same CAs).
      for (let i = 0; i < Math.max(1, Number(process.env.BENCH_ORCH_RUNS ?? ctx.runs)); i++) {
        try {
          const b = await driveRotation(lab);
          runs.push(b);
          ctx.log(
            `  run ${i + 1}: total ${fmtMs(b.totalMs)}, engine sleeps ${fmtMs(b.sleepMs)}, lab transitions ${fmtMs(b.labWaitMs)}, ${b.execCount} node commands ${fmtMs(b.execMs)}`,
          );
        } catch (error) {
          failure = reasonOf(error);
          ctx.log(`  rotation: ${failure}`);
          break;
        }
      }
      if (runs.length === 0) {
        rows.push(notMeasured(metric, target, failure ?? 'no run'));
      } else {
        const perNode = (b: Breakdown) => (b.totalMs - b.sleepMs - b.labWaitMs) / b.nodes;
        const ownPerNode = (b: Breakdown) => (b.totalMs - b.sleepMs - b.execWallMs) / b.nodes;
        const m = median(runs.map(perNode));
        const mid = [...runs].sort((a, b) => perNode(a) - perNode(b))[Math.floor(runs.length / 2)];
        rows.push({
          metric,
          target,
          measured: `median ${fmtMs(m)} per node (${runs.map((b) => Math.round(perNode(b))).join(', ')} ms)`,
          verdict: verdict(m < TARGET_MS),
          notes: `simulated waits = the engine's own sleeps (settle windows at ${SETTLE_S} s, gate retries) + the lab's service transitions (activating→active, deactivating→inactive at --speed ${LAB_SPEED}, from record.jsonl). Median run: total ${fmtMs(mid.totalMs)}, sleeps ${fmtMs(mid.sleepMs)}, lab transitions ${fmtMs(mid.labWaitMs)}, ${mid.nodes} nodes.`,
        });
        rows.push({
          metric: 'same, also without the time inside node commands',
          target: "— (keyturn's own time)",
          measured: `median ${fmtMs(median(runs.map(ownPerNode)))} per node`,
          verdict: 'info',
          notes: `${mid.execCount} node commands took ${fmtMs(mid.execMs)} in all (${fmtMs(mid.execMs / mid.execCount)} each), ${fmtMs(mid.execWallMs)} of wall time with one or more in flight (a gate's checks run at once; each lab systemctl/journalctl/<prog> is a Node process, like an ssh round trip on a real cluster); ${mid.labCommands} lab commands recorded; ${mid.logLines} live log lines.`,
        });
        if (failure) notes.push(`A later run failed: ${failure}`);
      }
      notes.push(
        `The engine is driven through its API from source (test/bench/orchestration.ts) because the CLI cannot run a recipe non-interactively yet. Lab: split, --speed ${LAB_SPEED} (BENCH_ORCH_SPEED); settle windows ${SETTLE_S} s (BENCH_ORCH_SETTLE); runs: BENCH_ORCH_RUNS (default BENCH_RUNS), each rotating the same lab again; BENCH_ORCH_TRACE=1 logs every node command (start, node, duration, script).`,
      );
    } finally {
      await lab.stop();
    }
    return { id: this.id, title: this.title, rows, notes };
  },
};
