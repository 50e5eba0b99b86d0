// `npm run bench` (after `npm run build`): runs every benchmark independently — one that fails or whose piece is
// missing reports "not measured: <reason>" and the others still run — then writes BENCHMARKS.md.
//
// Knobs: BENCH_ONLY=labup,scan,first-screen,logtail,orchestration,reencrypt,ssh,binary,waves   BENCH_RUNS=3 (runs per median)
//        BENCH_NET_BASE=90 (lab i gets --net 127.0.<base+i>)   BENCH_OUT=BENCHMARKS.md
//        and per-benchmark ones, listed in each section's notes.
import path from 'node:path';
import { binaryBench } from './binary.js';
import { firstScreenBench } from './first-screen.js';
import { stopAllLabs } from './lib/bench-lab.js';
import { describeMachine, loadNow } from './lib/machine.js';
import { repoRoot } from './lib/proc.js';
import { writeReport } from './lib/report.js';
import { stopAllFleets } from './lib/ssh-fleet.js';
import { removeIsolatedDirs } from './lib/status-run.js';
import type { Bench, BenchContext, Section } from './lib/types.js';
import { notMeasured, reasonOf } from './lib/types.js';
import { labUpBench } from './labup.js';
import { logTailBench } from './logtail.js';
import { orchestrationBench } from './orchestration.js';
import { reencryptBench } from './reencrypt.js';
import { scanBench } from './scan.js';
import { sshFleetBench } from './ssh-fleet.js';
import { wavesBench } from './waves.js';

const ALL: Bench[] = [
  labUpBench,
  scanBench,
  firstScreenBench,
  logTailBench,
  orchestrationBench,
  reencryptBench,
  sshFleetBench,
  binaryBench,
  wavesBench,
];

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<number> {
  const only = process.env.BENCH_ONLY
    ? process.env.BENCH_ONLY.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  const unknown = only?.filter((id) => !ALL.some((b) => b.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown BENCH_ONLY id(s) ${unknown.join(', ')}; use ${ALL.map((b) => b.id).join(', ')}\n`,
    );
    return 2;
  }
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
  const netBase = Number(process.env.BENCH_NET_BASE ?? 90);
  let netIndex = 0;
  const ctx: BenchContext = {
    repoRoot,
    runs,
    log,
    nextNet: () => `127.0.${netBase + (netIndex++ % (256 - netBase))}`,
  };

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping every lab started here`);
    void Promise.all([stopAllFleets(), stopAllLabs()]).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const machine = await describeMachine();
  log(
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadBefore}`,
  );
  const started = performance.now();
  const fresh = new Map<string, Section>();
  for (const bench of ALL) {
    if (only && !only.includes(bench.id)) continue;
    log(`== ${bench.title}`);
    const t0 = performance.now();
    let section: Section;
    try {
      section = await bench.run(ctx);
    } catch (error) {
      section = {
        id: bench.id,
        title: bench.title,
        rows: [notMeasured('(whole benchmark)', '—', reasonOf(error))],
        notes: [],
      };
    } finally {
      await stopAllFleets();
      await stopAllLabs();
      await removeIsolatedDirs();
    }
    section.seconds = (performance.now() - t0) / 1000;
    section.notes.push(
      `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; load average during/after: ${loadNow()}.`,
    );
    fresh.set(bench.id, section);
    for (const row of section.rows) log(`  ${row.verdict.toUpperCase().padEnd(12)} ${row.metric}: ${row.measured}`);
  }
  const out = path.resolve(repoRoot, process.env.BENCH_OUT ?? 'BENCHMARKS.md');
  writeReport(out, machine, ALL, fresh, {
    runs,
    only,
    totalSeconds: (performance.now() - started) / 1000,
    loadAfter: loadNow(),
    preamble: [
      'Quick runs: `BENCH_ONLY=scan BENCH_RUNS=1 npm run bench` (ids: labup, scan, first-screen, logtail, orchestration, reencrypt, ssh, binary, waves). Sections not run keep their previous text.',
      'Verdicts: **met** / **missed** against the target; **not measured** says why (a missing binary, or a piece of keyturn that does not work yet); **info** rows are context for a ratio.',
      'Timings are wall clock on a shared 2-core machine: other work on it (see the load average) inflates them, most of all the ones made of many short processes.',
    ],
  });
  log(`wrote ${path.relative(repoRoot, out)} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    await stopAllLabs();
    process.exit(1);
  },
);
