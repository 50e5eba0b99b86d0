// Benchmark 2: `keyturn status --json` on labs of 7 (split), 50 and 200 nodes with every node command 50 ms slower,
// against (a) the naive sequential script (naive-status.sh: one `openssl x509 -enddate` per certificate and one
// `systemctl is-active` per node, each through the node's shell) and (b) the one-parallel-round-trip-per-node limit.
import path from 'node:path';
import { startBenchLab, type BenchLab, type InventoryEntry } from './lib/bench-lab.js';
import { keyturnConcurrency, timeParallelRoundTrips, timeScanRoundTrips } from './lib/parallel-rt.js';
import { haveBinary, repoRoot, runTimed, stderrTail } from './lib/proc.js';
import { fmtMs, fmtRatio, fmtRuns, median } from './lib/stats.js';
import { isolatedEnv, timeStatus } from './lib/status-run.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const naiveScript = path.join(repoRoot, 'test/bench/naive-status.sh');

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

interface NaiveResult {
  ms: number;
  /** How it was obtained, e.g. "all 50 nodes" or "3 servers + 22 agents, extrapolated to 197 agents". */
  how: string;
  commands: string;
}

interface SizeResult {
  label: string;
  nodes: number;
  status50: Outcome<number[]>;
  /** Bare: one `sh -c true` per node. */
  par50: Outcome<number[]>;
  /** keyturn's own scan script, one per node. */
  scan50: Outcome<number[]>;
  naive: Outcome<NaiveResult>;
}

async function attempt<T>(what: string, ctx: BenchContext, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    ctx.log(`  ${what}: not measured: ${reasonOf(error)}`);
    return { ok: false, reason: reasonOf(error) };
  }
}

const isServer = (n: InventoryEntry) => n.roles.includes('etcd') || n.roles.includes('control-plane');

async function runNaive(lab: BenchLab, names: string[] | null): Promise<{ ms: number; commands: string }> {
  const env = { ...process.env, ...(names ? { NAIVE_NODES: names.join(' ') } : {}) };
  const r = await runTimed('sh', [naiveScript, lab.inventory], { env, timeoutMs: 900_000 });
  if (r.code !== 0 || r.timedOut)
    throw new Error(`naive-status.sh failed (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${stderrTail(r)}`);
  const summary = /naive: (\d+) nodes, (\d+) openssl commands, (\d+) systemctl commands/.exec(r.stderr);
  if (!summary || summary[1] === '0') throw new Error(`naive-status.sh read no node: ${stderrTail(r)}`);
  if (/unable|error|No such file/i.test(r.stdout))
    throw new Error(
      `naive-status.sh: openssl failed: ${r.stdout.split('\n').find((l) => /unable|error|No such/i.test(l))}`,
    );
  return { ms: r.ms, commands: `${summary[2]} openssl + ${summary[3]} systemctl commands on ${summary[1]} nodes` };
}

/** The whole inventory when small enough; otherwise servers and a sample of agents, extrapolated linearly per role. */
async function measureNaive(ctx: BenchContext, lab: BenchLab): Promise<NaiveResult> {
  const maxNodes = Number(process.env.BENCH_NAIVE_MAX_NODES ?? 50);
  const runs = Math.max(1, Number(process.env.BENCH_NAIVE_RUNS ?? 1));
  if (lab.nodes.length <= maxNodes) {
    const times: number[] = [];
    let commands = '';
    for (let i = 0; i < runs; i++) {
      const r = await runNaive(lab, null);
      times.push(r.ms);
      commands = r.commands;
    }
    return { ms: median(times), how: `all ${lab.nodes.length} nodes, ${fmtRuns(times)}`, commands };
  }
  const servers = lab.nodes.filter(isServer);
  const agents = lab.nodes.filter((n) => !isServer(n));
  const sampleAgents = agents.slice(0, Math.max(1, Number(process.env.BENCH_NAIVE_SAMPLE_AGENTS ?? 22)));
  const serverTimes: number[] = [];
  const agentTimes: number[] = [];
  let commands = '';
  for (let i = 0; i < runs; i++) {
    const s = await runNaive(
      lab,
      servers.map((n) => n.name),
    );
    const a = await runNaive(
      lab,
      sampleAgents.map((n) => n.name),
    );
    serverTimes.push(s.ms);
    agentTimes.push(a.ms);
    commands = `servers: ${s.commands}; agent sample: ${a.commands}`;
  }
  const estimate = median(serverTimes) + (median(agentTimes) * agents.length) / sampleAgents.length;
  ctx.log(
    `  naive: servers ${fmtMs(median(serverTimes))}, ${sampleAgents.length} agents ${fmtMs(median(agentTimes))} → ${fmtMs(estimate)} for ${lab.nodes.length}`,
  );
  return {
    ms: estimate,
    how: `EXTRAPOLATED: ran all ${servers.length} servers (${fmtMs(median(serverTimes))}) and ${sampleAgents.length} of ${agents.length} agents (${fmtMs(median(agentTimes))}), agent time scaled ×${(agents.length / sampleAgents.length).toFixed(2)}`,
    commands,
  };
}

async function measureSize(
  ctx: BenchContext,
  topology: string,
  label: string,
  concurrency: number,
): Promise<SizeResult> {
  const fail = (reason: string): SizeResult => {
    const no = { ok: false as const, reason };
    return { label, nodes: 0, status50: no, par50: no, scan50: no, naive: no };
  };
  let lab: BenchLab;
  try {
    lab = await startBenchLab({ topology, net: ctx.nextNet(), etcd: 'auto', speed: 20, readyTimeoutMs: 180_000 });
  } catch (error) {
    return fail(`lab up failed: ${reasonOf(error)}`);
  }
  try {
    const env = await isolatedEnv();
    const n = lab.nodes.length;
    ctx.log(`scan ${label}: lab up with ${n} nodes`);
    const statusRuns = async () => {
      const times: number[] = [];
      for (let i = 0; i < ctx.runs; i++) times.push((await timeStatus(lab, env)).ms);
      return times;
    };
    const parRuns = async () => {
      const times: number[] = [];
      for (let i = 0; i < ctx.runs; i++) times.push(await timeParallelRoundTrips(lab.nodes, concurrency));
      return times;
    };
    const scanRuns = async () => {
      const times: number[] = [];
      for (let i = 0; i < ctx.runs; i++) times.push(await timeScanRoundTrips(lab.nodes, concurrency));
      return times;
    };
    await lab.fault('latency', [String(LATENCY_MS)]);
    const par50 = await attempt(`bare parallel round trips, latency ${LATENCY_MS}`, ctx, parRuns);
    const scan50 = await attempt(`scan-script parallel round trips, latency ${LATENCY_MS}`, ctx, scanRuns);
    const status50 = await attempt(`status, latency ${LATENCY_MS}`, ctx, statusRuns);
    if (status50.ok) ctx.log(`  status (latency ${LATENCY_MS}): ${fmtRuns(status50.value)}`);
    if (par50.ok && scan50.ok)
      ctx.log(`  round trips: bare ${fmtRuns(par50.value)}, scan script ${fmtRuns(scan50.value)}`);
    const naive = (await haveBinary('openssl'))
      ? await attempt('naive script', ctx, () => measureNaive(ctx, lab))
      : { ok: false as const, reason: 'no openssl binary' };
    if (naive.ok) ctx.log(`  naive: ${fmtMs(naive.value.ms)} (${naive.value.how})`);
    return { label, nodes: n, status50, par50, scan50, naive };
  } finally {
    await lab.stop();
  }
}

function rowsFor(r: SizeResult, concurrency: number): Row[] {
  const rows: Row[] = [];
  const name = `${r.label}${r.nodes ? ` (${r.nodes} nodes)` : ''}`;
  const s50 = r.status50.ok ? median(r.status50.value) : NaN;
  rows.push(
    r.status50.ok
      ? {
          metric: `${name}: keyturn status --json, latency ${LATENCY_MS} ms`,
          target: '—',
          measured: fmtRuns(r.status50.value),
          verdict: 'info',
        }
      : notMeasured(`${name}: keyturn status --json, latency ${LATENCY_MS} ms`, '—', r.status50.reason),
  );
  if (r.naive.ok) {
    const ratio = r.naive.value.ms / s50;
    const target = r.nodes === 50 ? '≥ 20× faster' : '—';
    rows.push({
      metric: `${name}: naive script vs keyturn`,
      target,
      measured: r.status50.ok
        ? `naive ${fmtMs(r.naive.value.ms)} vs keyturn ${fmtMs(s50)} → keyturn ${fmtRatio(ratio)} faster`
        : `naive ${fmtMs(r.naive.value.ms)}; keyturn not measured`,
      verdict: r.status50.ok ? (r.nodes === 50 ? verdict(ratio >= 20) : 'info') : 'not measured',
      notes:
        `${r.naive.value.how}; ${r.naive.value.commands}` +
        (r.scan50.ok
          ? `. Best ratio possible on this machine: naive ÷ the one-round-trip-per-node limit below = ${fmtRatio(r.naive.value.ms / median(r.scan50.value))}`
          : ''),
    });
  } else
    rows.push(notMeasured(`${name}: naive script vs keyturn`, r.nodes === 50 ? '≥ 20× faster' : '—', r.naive.reason));
  if (r.scan50.ok && r.par50.ok && r.status50.ok) {
    const bare = median(r.par50.value);
    const limit = median(r.scan50.value);
    const ratio = s50 / limit;
    // The issue sets the 1.5× target on large:50 and large:200; on the 7-node lab the fixed start-up (Node alone
    // starts in ~65 ms here) is a third of the whole, so that ratio is context.
    const judged = r.label !== 'split';
    rows.push({
      metric: `${name}: keyturn vs one-parallel-round-trip limit`,
      target: judged ? '≤ 1.5×' : '— (the target is set on large:50 and large:200)',
      measured: `keyturn ${fmtMs(s50)} vs limit ${fmtMs(limit)} → ${fmtRatio(ratio)}`,
      verdict: judged ? verdict(ratio <= 1.5) : 'info',
      notes:
        `limit = keyturn's own scan script sent to all ${r.nodes} nodes, ${concurrency} in flight, from a warm process (${fmtRuns(r.scan50.value)}). ` +
        `keyturn − limit = ${fmtMs(s50 - limit)} (Node start-up, kube client and API, parsing, checks, JSON).`,
    });
    rows.push({
      metric: `${name}: bare round trips (sh -c true), for scale`,
      target: '—',
      measured: `${fmtRuns(r.par50.value)} → keyturn is ${fmtRatio(s50 / bare)} this`,
      verdict: 'info',
      notes: `theory: ${LATENCY_MS} ms × ⌈${r.nodes}/${concurrency}⌉ = ${LATENCY_MS * Math.ceil(r.nodes / concurrency)} ms plus process spawns`,
    });
  } else {
    const reason =
      [r.scan50, r.par50, r.status50].find((o): o is { ok: false; reason: string } => !o.ok)?.reason ?? '?';
    rows.push(notMeasured(`${name}: keyturn vs one-parallel-round-trip limit`, '≤ 1.5×', reason));
  }
  return rows;
}

export const scanBench: Bench = {
  id: 'scan',
  title: `2. Scan: \`keyturn status --json\` with ${LATENCY_MS} ms per node command`,
  async run(ctx) {
    const concurrency = keyturnConcurrency();
    const sizes = (process.env.BENCH_SCAN_SIZES ?? 'split,50,200')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const results: SizeResult[] = [];
    for (const size of sizes) {
      const topology = size === 'split' ? 'split' : `large:${size}`;
      results.push(await measureSize(ctx, topology, size === 'split' ? 'split' : `large:${size}`, concurrency.value));
    }
    const rows = results.flatMap((r) => rowsFor(r, concurrency.value));
    const measured = results.filter((r) => r.status50.ok);
    const notes = [
      `Each lab: \`keyturn lab up --topology <t> --etcd auto --speed 20\`, then \`keyturn lab fault latency ${LATENCY_MS}\` (the node's bin/sh sleeps before every command). keyturn runs from dist with --kubeconfig and --inventory, and a fresh KEYTURN_CONFIG_DIR; a run counts only when its JSON lists every lab node as reachable with its certificates read.`,
      `Bounded parallelism: ${concurrency.value}, from ${concurrency.from}.`,
      "Limit, and why: a bare `sh -c true` per node (also reported) is the floor for the latency alone, but it carries none of the work: on the lab every node's systemctl/journalctl/<prog> is a Node process and etcd probes are curl, all sharing this machine's 2 cores, which a real cluster spreads over its nodes. So the limit used for the verdict is the same design done ideally: keyturn's own scan script (imported from src/discovery/scan-script.ts), one round trip per node with the same parallelism, from an already-running process. keyturn ÷ limit is then what keyturn adds on top of one parallel round trip per node: start-up, the API, parsing and checks.",
      'The naive script (test/bench/naive-status.sh) is what people type by hand: for each node, for each certificate, `PATH=<node bin>:$PATH sh -c "openssl x509 -enddate -noout -in <file>"`, plus one `systemctl is-active <unit>`; sequential, so every command pays the latency. It reads less than keyturn (no journal, etcd, encryption or CA comparison). Knobs: BENCH_NAIVE_RUNS (default 1: its time is a sum of fixed sleeps), BENCH_NAIVE_MAX_NODES (default 50; larger labs are sampled and extrapolated), BENCH_NAIVE_SAMPLE_AGENTS (default 22).',
    ];
    if (measured.length >= 2) {
      const growth = measured
        .map((r) => `${r.nodes} nodes: ${fmtMs(median((r.status50 as { ok: true; value: number[] }).value))}`)
        .join(' → ');
      const first = measured[0];
      const last = measured[measured.length - 1];
      const t0 = median((first.status50 as { ok: true; value: number[] }).value);
      const t1 = median((last.status50 as { ok: true; value: number[] }).value);
      notes.push(
        `Growth of keyturn status (latency ${LATENCY_MS}): ${growth}; ${fmtRatio(t1 / t0)} the time for ${fmtRatio(last.nodes / first.nodes)} the nodes (≈ ${fmtMs((t1 - t0) / (last.nodes - first.nodes))} per extra node).`,
      );
    }
    return { id: 'scan', title: this.title, rows, notes };
  },
};
