// Benchmark 1: how long `keyturn lab up` takes to print `lab ready` (wall time from spawn, so Node start-up is in).
//   split, real etcd and emulated, at --speed 20 (what the tests use) and at the default --speed 1;
//   large:200 with emulated etcd at --speed 20.
import { startBenchLab } from './lib/bench-lab.js';
import { haveBinary } from './lib/proc.js';
import { fmtMs, fmtRuns, median } from './lib/stats.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';

interface Case {
  metric: string;
  topology: string;
  etcd: 'real' | 'emulated';
  speed: number;
  targetMs: number;
  runs: number;
}

async function measure(ctx: BenchContext, c: Case): Promise<Row> {
  const target = `< ${c.targetMs / 1000} s`;
  if (c.etcd === 'real' && !(await haveBinary('etcd')))
    return notMeasured(c.metric, target, 'no etcd binary (apt-get install etcd-server)');
  const wall: number[] = [];
  const reported: number[] = [];
  try {
    for (let i = 0; i < c.runs; i++) {
      const lab = await startBenchLab({
        topology: c.topology,
        etcd: c.etcd,
        speed: c.speed,
        net: ctx.nextNet(),
        readyTimeoutMs: 180_000,
      });
      try {
        wall.push(lab.readyMs);
        if (lab.reportedMs !== null) reported.push(lab.reportedMs);
        ctx.log(
          `  ${c.metric} run ${i + 1}: ${fmtMs(lab.readyMs)} (lab says ${lab.reportedMs === null ? '?' : fmtMs(lab.reportedMs)})`,
        );
      } finally {
        await lab.stop();
      }
    }
  } catch (error) {
    if (wall.length === 0) return notMeasured(c.metric, target, reasonOf(error));
    ctx.log(`  ${c.metric}: a later run failed: ${reasonOf(error)}`);
  }
  const m = median(wall);
  return {
    metric: c.metric,
    target,
    measured: fmtRuns(wall),
    verdict: verdict(m < c.targetMs),
    notes:
      reported.length > 0
        ? `lab's own "in X s" (controller only, no Node start-up): median ${fmtMs(median(reported))}`
        : '',
  };
}

export const labUpBench: Bench = {
  id: 'labup',
  title: '1. Lab: `keyturn lab up` ready time',
  async run(ctx) {
    const large = Number(process.env.BENCH_LARGE_NODES ?? 200);
    const slowRuns = Number(process.env.BENCH_LABUP_SPEED1_RUNS ?? 1);
    const cases: Case[] = [
      {
        metric: 'split (7 nodes), real etcd, --speed 20',
        topology: 'split',
        etcd: 'real',
        speed: 20,
        targetMs: 10_000,
        runs: ctx.runs,
      },
      {
        metric: 'split (7 nodes), emulated etcd, --speed 20',
        topology: 'split',
        etcd: 'emulated',
        speed: 20,
        targetMs: 10_000,
        runs: ctx.runs,
      },
    ];
    if (slowRuns > 0) {
      cases.push(
        {
          metric: 'split, real etcd, default --speed 1',
          topology: 'split',
          etcd: 'real',
          speed: 1,
          targetMs: 10_000,
          runs: slowRuns,
        },
        {
          metric: 'split, emulated etcd, default --speed 1',
          topology: 'split',
          etcd: 'emulated',
          speed: 1,
          targetMs: 10_000,
          runs: slowRuns,
        },
      );
    }
    cases.push({
      metric: `large:${large}, emulated etcd, --speed 20`,
      topology: `large:${large}`,
      etcd: 'emulated',
      speed: 20,
      targetMs: 60_000,
      runs: Math.max(1, Number(process.env.BENCH_LARGE_RUNS ?? Math.min(ctx.runs, 2))),
    });
    const rows: Row[] = [];
    for (const c of cases) {
      ctx.log(`labup: ${c.metric}`);
      rows.push(await measure(ctx, c));
    }
    return {
      id: 'labup',
      title: this.title,
      rows,
      notes: [
        'Wall time from spawning `node bin/keyturn.js lab up ...` (dist) until its stdout prints the `lab ready` line; each run on its own --net, stopped with SIGTERM (awaited) before the next.',
        '`--speed` divides the simulated service start/settle waits, so `--speed 1` (the `lab up` default) includes the simulated RKE2 start-up of each server at human pace; the tests (`startLab`) use `--speed 20`.',
        `Runs: BENCH_RUNS for split at --speed 20, BENCH_LABUP_SPEED1_RUNS (default 1; 0 skips) for --speed 1, BENCH_LARGE_RUNS (default min(BENCH_RUNS, 2)) for large:N (BENCH_LARGE_NODES, default 200).`,
      ],
    };
  },
};
