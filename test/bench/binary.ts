// Benchmark 8: the single binary (`npm run build:binary`, issue #17): its size and how fast it starts, next to the
// launcher on this machine's Node (`node bin/keyturn.js`). Built here, each run, by the project's own script
// (bin/build-binary.mjs; it fetches the official Node it embeds once, with `npm pack`).
//   size        dist/binary/keyturn, and the Node binary it was made from
//   --help      start to exit, interleaved with the launcher
//   status      `status -o json --kubeconfig K --inventory I` on a 7-node split lab (API reachable), interleaved
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBenchLab, type BenchLab } from './lib/bench-lab.js';
import { keyturnArgs, repoRoot, runTimed, stderrTail } from './lib/proc.js';
import { fmtMs, fmtRuns } from './lib/stats.js';
import type { Bench, BenchContext, Row } from './lib/types.js';
import { notMeasured, reasonOf } from './lib/types.js';

const BINARY = path.join(repoRoot, 'dist/binary/keyturn');
/** Where bin/build-binary.mjs keeps the Node it embeds when the running Node cannot build one (SEA_NODE_MAJOR). */
const FETCHED_NODE = path.join(repoRoot, 'node_modules/.cache/keyturn-sea-node/26/package/bin/node');

type Tool = 'binary' | 'launcher';
const TOOLS: Tool[] = ['binary', 'launcher'];

function command(tool: Tool, args: string[]): [string, string[]] {
  return tool === 'binary' ? [BINARY, args] : [process.execPath, [...keyturnArgs, ...args]];
}

function fmtBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} B (${Math.round(bytes / 2 ** 20)} MiB)`;
}

/** Runs `args` with each tool `runs` times, interleaved (the order swapped each run); checks each run with `ok`. */
async function timeBoth(
  ctx: BenchContext,
  label: string,
  runs: number,
  args: string[],
  env: NodeJS.ProcessEnv,
  ok: (stdout: string, code: number | null) => string | null,
): Promise<Record<Tool, number[] | { error: string }>> {
  const times: Record<Tool, number[]> = { binary: [], launcher: [] };
  const failed: Partial<Record<Tool, string>> = {};
  for (let run = 0; run < runs; run++) {
    for (const tool of run % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
      if (failed[tool]) continue;
      const [cmd, argv] = command(tool, args);
      const r = await runTimed(cmd, argv, { env, timeoutMs: 120_000 });
      const problem = r.timedOut ? 'did not finish within 120 s' : ok(r.stdout, r.code);
      if (problem) {
        failed[tool] = `${label}: ${problem}: ${stderrTail(r)}`;
        ctx.log(`  ${tool} ${label}: NOT MEASURED: ${failed[tool]}`);
      } else times[tool].push(r.ms);
    }
  }
  return {
    binary: failed.binary ? { error: failed.binary } : times.binary,
    launcher: failed.launcher ? { error: failed.launcher } : times.launcher,
  };
}

function timeRow(metric: string, measured: Record<Tool, number[] | { error: string }>): Row {
  const cell = (t: number[] | { error: string }) => ('error' in t ? `not measured: ${t.error}` : fmtRuns(t));
  if ('error' in measured.binary) return notMeasured(metric, '—', measured.binary.error);
  return {
    metric,
    target: '—',
    measured: `binary: ${cell(measured.binary)}`,
    verdict: 'info',
    notes: `node bin/keyturn.js: ${cell(measured.launcher)}`,
  };
}

export const binaryBench: Bench = {
  id: 'binary',
  title: '8. Single binary (`npm run build:binary`, issue #17)',
  async run(ctx) {
    const helpRuns = Math.max(1, Number(process.env.BENCH_BINARY_HELP_RUNS ?? 10));
    const statusRuns = Math.max(1, Number(process.env.BENCH_BINARY_STATUS_RUNS ?? 5));
    const rows: Row[] = [];
    const notes: string[] = [];

    const build = await runTimed('npm', ['run', '-s', 'build:binary'], { timeoutMs: 1_200_000 });
    if (build.timedOut || build.code !== 0 || !existsSync(BINARY)) {
      const why = build.timedOut ? 'did not finish within 20 min' : `exited ${build.code}: ${stderrTail(build)}`;
      return {
        id: 'binary',
        title: this.title,
        rows: [notMeasured('(whole benchmark)', '—', `npm run build:binary ${why}`)],
        notes,
      };
    }
    ctx.log(`  build:binary ${fmtMs(build.ms)}`);
    const seaNode = process.env.KEYTURN_SEA_NODE ?? (existsSync(FETCHED_NODE) ? FETCHED_NODE : null);
    const embedded = seaNode ? (await runTimed(seaNode, ['--version'])).stdout.trim() : null;
    rows.push({
      metric: 'Size of dist/binary/keyturn',
      target: '—',
      measured: fmtBytes(statSync(BINARY).size),
      verdict: 'info',
      notes: seaNode
        ? `the Node ${embedded} binary it is made from: ${fmtBytes(statSync(seaNode).size)}`
        : 'built with the running Node (it has --build-sea)',
    });
    rows.push({
      metric: '`npm run build:binary` (bundle, minify, code cache, --build-sea)',
      target: '—',
      measured: fmtMs(build.ms),
      verdict: 'info',
    });

    const work = mkdtempSync(path.join(os.tmpdir(), 'kt-binb-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KEYTURN_CONFIG_DIR: path.join(work, 'c'),
      KEYTURN_STATE_DIR: path.join(work, 's'),
    };
    let lab: BenchLab | null = null;
    try {
      const help = await timeBoth(ctx, '--help', helpRuns, ['--help'], env, (stdout, code) =>
        code === 0 && /keyturn/.test(stdout) ? null : `exit ${code}, no usage printed`,
      );
      rows.push(timeRow(`\`--help\`, start to exit (${helpRuns} runs each)`, help));
      try {
        lab = await startBenchLab({ topology: 'split', net: ctx.nextNet(), etcd: 'auto', speed: 20 });
        const l = lab;
        const status = await timeBoth(
          ctx,
          'status',
          statusRuns,
          ['status', '-o', 'json', '--kubeconfig', l.kubeconfig, '--inventory', l.inventory],
          env,
          (stdout, code) => {
            try {
              const doc = JSON.parse(stdout) as {
                cluster?: { apiReachable?: boolean };
                nodes?: { reachable?: boolean }[];
              };
              const reached = (doc.nodes ?? []).filter((n) => n.reachable).length;
              if (!doc.cluster?.apiReachable) return 'the API was not reached';
              return reached === l.nodes.length ? null : `reached ${reached} of ${l.nodes.length} nodes`;
            } catch {
              return `exit ${code}, no JSON`;
            }
          },
        );
        rows.push(
          timeRow(`\`status -o json\` on a ${l.nodes.length}-node split lab (${statusRuns} runs each)`, status),
        );
      } catch (error) {
        rows.push(notMeasured('`status -o json` on a split lab', '—', reasonOf(error)));
      }
    } finally {
      await lab?.stop();
      rmSync(work, { recursive: true, force: true });
    }
    notes.push(
      `The binary is a Node single executable application (bin/build-binary.mjs): the whole CLI with the Kubernetes client in one minified ES module, with V8's code cache, put into ${embedded ? `Node ${embedded}` : 'the running Node'} by its own --build-sea. The launcher ran on this machine's Node ${process.version} with dist/bundle and node_modules.`,
      'Times are wall clock from spawn to exit, the two interleaved (the order swapped each run). `status` reads a `keyturn lab up --topology split --etcd auto --speed 20` lab (7 nodes, local transport) through its API and inventory: both tools do the same work, so the difference is start-up.',
      'Why the build minifies and uses the code cache (measured by hand on 2026-12-04, before this section was a bench id): without them the binary spent 861 ms of a `--help` CPU profile compiling its 19.6 MB module, and `--help` took a median 1465 ms against 589 ms for the launcher.',
    );
    return { id: 'binary', title: this.title, rows, notes };
  },
};
