// Benchmark 8: agents in waves (`--agent-wave`). rotate-certs on a large:N lab (3 servers, N−3 agents) through the
// engine, as bench 5 drives it (orchestration.ts driveRotation), with the agents in waves of 10% and of 20%. For each:
// the run's wall time, keyturn's own time per node (wall time with no node command in flight and no engine sleep
// running), and one-at-a-time projected from the same run's journal (each wave's wall replaced by the sum of its
// nodes' own block walls), plus the same two projected to a real cluster with the recipe's settle windows.
import type { RunEvent } from '../../src/engine/events.js';
import type { AgentWaveSize } from '../../src/engine/plan-types.js';
import { startBenchLab, type BenchLab } from './lib/bench-lab.js';
import { fmtMs } from './lib/stats.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';
import { driveRotation, type Breakdown } from './orchestration.js';

const NODES = Number(process.env.BENCH_WAVES_NODES ?? 200);
const SPEED = Number(process.env.BENCH_WAVES_SPEED ?? 50);
const WAVES: AgentWaveSize[] = (process.env.BENCH_WAVES_SIZES ?? '10%,20%')
  .split(',')
  .map((s) => (s.trim().endsWith('%') ? { percent: Number(s.trim().slice(0, -1)) } : { count: Number(s) }));
/** The recipe's own settle windows (recipes/rotate-certs.ts): what a real cluster waits per node. */
const REAL_SETTLE_S = { server: 150, agent: 30 };
const OWN_TARGET_MS = 300;

const label = (w: AgentWaveSize) => ('count' in w ? String(w.count) : `${w.percent}%`);
const at = (e: { at: string }) => Date.parse(e.at);

interface BlockTime {
  node: string;
  /** The block's first step-started. */
  first: number;
  wallMs: number;
  settleMs: number;
}

/** Each block's wall (its first step-started to its last step-finished) and its settle step's share of it. */
function blockTimes(events: RunEvent[]): Map<string, BlockTime> {
  const started = new Map<string, number>();
  const out = new Map<string, BlockTime>();
  for (const e of events) {
    if (e.type === 'step-started') started.set(e.key, at(e));
    if (e.type !== 'step-finished') continue;
    const block = e.key.slice(0, e.key.lastIndexOf('.'));
    const s = started.get(e.key) ?? at(e);
    const cur = out.get(block) ?? { node: block.split('/')[1], first: s, wallMs: 0, settleMs: 0 };
    out.set(block, {
      ...cur,
      wallMs: at(e) - cur.first,
      settleMs: cur.settleMs + (e.key.endsWith('.settle') ? at(e) - s : 0),
    });
  }
  return out;
}

interface Projection {
  waves: number;
  agents: number;
  /** Σ over waves of (sum of its blocks' walls − the wave's wall): what one at a time would have added. */
  addedMs: number;
  /** Real cluster, recipe settles: one at a time vs waves (measured non-settle time, real settle windows). */
  realOneMs: number;
  realWavesMs: number;
}

function project(b: Breakdown): Projection {
  const blocks = blockTimes(b.events);
  const confirmed = new Map<string, { at: number; blocks: string[] }>();
  let addedMs = 0;
  let agents = 0;
  let realWavesMs = 0;
  for (const e of b.events) {
    if (e.type === 'wave-confirmed') confirmed.set(e.wave, { at: at(e), blocks: e.blocks });
    if (e.type !== 'wave-finished') continue;
    const w = confirmed.get(e.wave);
    if (!w) continue;
    const times = w.blocks.map((k) => blocks.get(k)).filter((x): x is BlockTime => x !== undefined);
    agents += times.length;
    addedMs += times.reduce((n, t) => n + t.wallMs, 0) - (at(e) - w.at);
    realWavesMs += REAL_SETTLE_S.agent * 1000 + Math.max(...times.map((t) => t.wallMs - t.settleMs));
  }
  const waved = new Set([...confirmed.values()].flatMap((w) => w.blocks));
  let realOneMs = 0;
  let realServersMs = 0;
  for (const [key, t] of blocks) {
    if (key.endsWith('/verify')) continue;
    const settle = key.endsWith('/agents') ? REAL_SETTLE_S.agent : REAL_SETTLE_S.server;
    const real = t.wallMs - t.settleMs + settle * 1000;
    realOneMs += real;
    if (!waved.has(key)) realServersMs += real; // servers, and agents that ran alone
  }
  return { waves: confirmed.size, agents, addedMs, realOneMs, realWavesMs: realWavesMs + realServersMs };
}

export const wavesBench: Bench = {
  id: 'waves',
  title: '9. Agents in waves (rotate-certs --agent-wave)',
  async run(ctx: BenchContext) {
    const rows: Row[] = [];
    const notes: string[] = [];
    let lab: BenchLab;
    try {
      lab = await startBenchLab({ topology: `large:${NODES}`, net: ctx.nextNet(), etcd: 'auto', speed: SPEED });
    } catch (error) {
      return {
        id: this.id,
        title: this.title,
        rows: [notMeasured(`large:${NODES}`, '—', `lab up failed: ${reasonOf(error)}`)],
        notes,
      };
    }
    try {
      for (const size of WAVES) {
        const metric = `large:${NODES}, --agent-wave ${label(size)}`;
        let b: Breakdown;
        try {
          b = await driveRotation(lab, { agentWave: size });
        } catch (error) {
          rows.push(notMeasured(metric, '—', reasonOf(error)));
          continue;
        }
        const p = project(b);
        const one = b.totalMs + p.addedMs;
        const own = (b.totalMs - b.busyWallMs) / b.nodes;
        ctx.log(
          `  ${metric}: ${p.waves} waves, total ${fmtMs(b.totalMs)}, one at a time (projected) ${fmtMs(one)}, own ${fmtMs(own)}/node`,
        );
        rows.push({
          metric: `${metric}: total time vs one at a time projected from the same run`,
          target: '≤ ⅓ of one at a time',
          measured: `${fmtMs(b.totalMs)} (${p.waves} waves of ≤ ${Math.ceil(p.agents / Math.max(1, p.waves))} agents) vs ${fmtMs(one)} projected → ${(one / b.totalMs).toFixed(1)}× faster`,
          verdict: verdict(b.totalMs * 3 <= one),
          notes: `projection: each wave's wall replaced by the sum of its ${p.agents} agents' own block walls as measured inside the wave (contention on this machine inflates those, so it leans high); servers and the verify phase as measured. Settle windows 1 s, lab --speed ${SPEED}.`,
        });
        rows.push({
          metric: `${metric}: keyturn's own time per node`,
          target: `< ${OWN_TARGET_MS} ms per node`,
          measured: `${fmtMs(own)} per node`,
          verdict: verdict(own < OWN_TARGET_MS),
          notes: `(wall − time with any node command in flight or any engine sleep running) / ${b.nodes} nodes — it includes keyturn's Kubernetes API calls (Ready checks), which are not node commands; ${b.execCount} node commands took ${fmtMs(b.execMs)} in all, ${fmtMs(b.execWallMs)} of wall with one or more in flight; ${b.logLines} live log lines.`,
        });
        rows.push({
          metric: `${metric}: projected to a real cluster (settle 150 s a server, 30 s an agent)`,
          target: '—',
          measured: `waves ${fmtMs(p.realWavesMs)} vs one at a time ${fmtMs(p.realOneMs)}`,
          verdict: 'info',
          notes:
            "each block's measured time without its settle, plus the recipe's settle window: one at a time sums every node's; waves sum the servers' and, per wave, one agent settle plus its slowest node.",
        });
      }
      notes.push(
        `Lab: large:${NODES} (BENCH_WAVES_NODES; 3 etcd+control-plane servers, ${NODES - 3} agents), --speed ${SPEED} (BENCH_WAVES_SPEED), etcd auto; wave sizes BENCH_WAVES_SIZES (default 10%,20%), each rotating the same lab again; one run per size (a run of 200 nodes takes minutes on this machine). The engine is driven through its API as in bench 5 (test/bench/waves.ts, orchestration.ts driveRotation), with every settle window at 1 s.`,
      );
    } finally {
      await lab.stop();
    }
    return { id: this.id, title: this.title, rows, notes };
  },
};
