// Benchmark 6 (issue #7's last target): "Reencrypt progress with 10 000 secrets: the wizard's polling costs under
// 5% of one core." A lab with 10 000 secrets (rke2, single server, emulated etcd) re-encrypts at ~5 secrets/s
// divided by --speed; reencrypt-child.tsx runs rotate-encryption-keys up to the end of its reencrypt wait with the
// run screen rendered, and reports keyturn's own CPU over the wait's wall time. The wait's polling cadence is the
// real one (250 ms doubling to the recipe's 10 s), so a shorter wait polls more often per second than a real one:
// the figure errs high.
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../bin/bundle-patches.mjs';
import { startLab } from '../support/lab.js';
import { repoRoot, runTimed, stderrTail } from './lib/proc.js';
import { fmtMs, median } from './lib/stats.js';
import type { Bench, BenchContext, Row, Section } from './lib/types.js';
import { notMeasured, reasonOf, verdict } from './lib/types.js';

interface ChildResult {
  flow: string;
  waitMs: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  percentOfCore: number;
  progressEvents: number;
  terminalWrites: number;
  last: { done: number; total: number | null; finished: boolean; source: string } | null;
  outcome: string;
  error?: string;
}

const SECRETS = 10_000;
const TARGET_PERCENT = 5;
/** 10 000 secrets at 5/s is 2000 s of simulated work: --speed 40 makes it a ~50 s wait. */
const SPEED = Number(process.env.BENCH_REENCRYPT_SPEED ?? 40);

/** The child bundled as `npm run build` bundles keyturn (patched Ink, React's production build): the code users run. */
async function bundleChild(): Promise<string> {
  const outdir = path.join(repoRoot, 'dist/bench/reencrypt');
  await build(
    bundleOptions({
      entryPoints: [path.join(repoRoot, 'test/bench/reencrypt-child.tsx')],
      outdir,
      outExtension: { '.js': '.mjs' },
    }),
  );
  return path.join(outdir, 'reencrypt-child.mjs');
}

async function measureOnce(ctx: BenchContext, run: number, child: string): Promise<ChildResult> {
  const lab = await startLab({ topology: 'single', distro: 'rke2', etcd: 'emulated', speed: SPEED, secrets: SECRETS });
  try {
    // As shipped: bin/keyturn.js sets NODE_ENV=production before React loads.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
    delete env.CI;
    const args = [child, lab.kubeconfig, lab.inventory];
    const expectedMs = ((SECRETS / 5) * 1000) / SPEED;
    const r = await runTimed(process.execPath, args, { env, timeoutMs: expectedMs * 3 + 120_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line)
      throw new Error(
        `reencrypt child printed no result (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${stderrTail(r)}`,
      );
    const result = JSON.parse(line) as ChildResult;
    if (result.error) throw new Error(result.error);
    ctx.log(
      `  run ${run}: ${result.percentOfCore.toFixed(2)}% of one core (${result.cpuMs.toFixed(0)} ms CPU over ${fmtMs(result.waitMs)}), ${result.progressEvents} progress events`,
    );
    return result;
  } finally {
    await lab.stop();
  }
}

function rowsOf(results: ChildResult[]): Row[] {
  const pct = results.map((r) => r.percentOfCore);
  const m = median(pct);
  const runs = results.length > 1 ? ` (${results.length} runs: ${pct.map((p) => p.toFixed(2)).join(', ')}%)` : '';
  const r0 = results[0];
  const finished = results.every((r) => r.last?.finished && r.last.done === SECRETS && r.last.total === SECRETS);
  return [
    {
      metric: `keyturn's CPU while the reencrypt wait polls (${SECRETS.toLocaleString('en-US')} secrets, run screen rendered)`,
      target: `< ${TARGET_PERCENT}% of one core`,
      measured: `median ${m.toFixed(2)}%${runs}`,
      verdict: verdict(m < TARGET_PERCENT && finished),
      notes: `${r0.cpuMs.toFixed(0)} ms CPU (user ${r0.userMs.toFixed(0)}, system ${r0.systemMs.toFixed(0)}) over a ${fmtMs(r0.waitMs)} wait; process.cpuUsage of the keyturn process, from the wait's step-started to its step-finished`,
    },
    {
      metric: 'what the wait showed',
      target: '—',
      measured: `${r0.last ? `${r0.last.done} of ${r0.last.total ?? '?'} secrets, finished: ${r0.last.finished}, source ${r0.last.source}` : 'no reading'}; ${r0.progressEvents} progress events; ${r0.terminalWrites} terminal writes`,
      verdict: 'info',
      notes: `flow ${r0.flow}; lab --speed ${SPEED} (BENCH_REENCRYPT_SPEED)`,
    },
  ];
}

export const reencryptBench: Bench = {
  id: 'reencrypt',
  title: `6. Reencrypt progress: the wizard's polling CPU with ${SECRETS.toLocaleString('en-US')} secrets`,
  async run(ctx): Promise<Section> {
    const metric = `keyturn's CPU while the reencrypt wait polls (${SECRETS.toLocaleString('en-US')} secrets)`;
    const results: ChildResult[] = [];
    try {
      const child = await bundleChild();
      for (let i = 1; i <= ctx.runs; i++) results.push(await measureOnce(ctx, i, child));
    } catch (error) {
      if (results.length === 0)
        return {
          id: this.id,
          title: this.title,
          rows: [notMeasured(metric, `< ${TARGET_PERCENT}% of one core`, reasonOf(error))],
          notes: [],
        };
      ctx.log(`  reencrypt: a later run failed: ${reasonOf(error)}`);
    }
    return {
      id: this.id,
      title: this.title,
      rows: rowsOf(results),
      notes: [
        `The lab (a single rke2 server, emulated etcd) re-encrypts ${SECRETS.toLocaleString('en-US')} secrets at ~5/s divided by --speed; its SecretsProgress events come every 50 secrets.`,
        'keyturn runs rotate-encryption-keys in one process (test/bench/reencrypt-child.tsx, bundled like the CLI into dist/bench/): real local transports and kube gateway, the run bridge as log sink, the run screen rendered by Ink to a null terminal; the operator answers yes up to the wait and quits after it.',
        "Each poll reads the Node events through the API (or the journal on the node) and `secrets-encrypt status` on the node; polls start 250 ms apart and back off to the recipe's 10 s. A short (sped-up) wait spends more of its time in the fast early polls than a real 30-minute one, so the real figure is lower.",
        "The node commands run in child processes (sh, curl into the lab): their CPU is not keyturn's and is not counted; spawning them is.",
        "Finding: with the run screen's spinner at 10 frames/s, redrawing the screen cost more than the polling — about 8.5% of a core in an 8 s trial at --speed 400, about 3% in the same trial once the spinner slowed. While a reencrypt wait runs the spinner now ticks once a second; the progress widget moves with every reading.",
      ],
    };
  },
};
