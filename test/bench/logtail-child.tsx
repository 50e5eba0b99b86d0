// Benchmark 4's measured process (run by logtail.ts as `node --import tsx`, so its CPU and memory are its own).
// The live-tail path end to end, as a rotation drives it: a node's `journalctl -u UNIT -f` (here a generator that
// floods RATE lines/s for SECONDS) → keyturn's local transport follow() → the engine's Tails → a LogSink → the
// wizard's useBoundedLines hook → LogPane, rendered by Ink to a null terminal (160×50, isTTY). Prints one JSON line.
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { Writable } from 'node:stream';
import React, { useEffect } from 'react';
import type { PlannedNode } from '../../src/engine/plan-types.js';
import type { LogEvent } from '../../src/engine/ports.js';
import type { FollowOptions, NodeShell } from '../../src/transports/types.js';

const RATE = Number(process.env.LOGTAIL_RATE ?? 50_000);
const SECONDS = Number(process.env.LOGTAIL_SECONDS ?? 10);
/** transport: a real child process through keyturn's local shell and the engine's Tails; direct: lines pushed in-process. */
const MODE = process.env.LOGTAIL_MODE === 'direct' ? 'direct' : 'transport';

// The flood: batches every 5 ms so the count written tracks RATE × elapsed; the total goes to a file at the end.
const GENERATOR = `
const [rate, seconds, countFile] = process.argv.slice(2).map((v, i) => (i < 2 ? Number(v) : v));
const fs = require('node:fs');
const pad = ' '.repeat(40);
let n = 0;
const t0 = Date.now();
function line(i) {
  return 'Jun 01 12:00:00 agent-1 rke2[4242]: time="2025-06-01T12:00:00Z" level=info msg="flood line ' + i + ' of the live tail' + pad + '"\\n';
}
function tick() {
  const elapsed = Date.now() - t0;
  const target = Math.min(Math.floor((rate * elapsed) / 1000), rate * seconds);
  let chunk = '';
  while (n < target) chunk += line(n++);
  const ok = chunk === '' || process.stdout.write(chunk);
  if (n >= rate * seconds) {
    fs.writeFileSync(countFile, String(n));
    process.stdout.end();
    return;
  }
  if (ok) setTimeout(tick, 5);
  else process.stdout.once('drain', tick);
}
tick();
`;

class NullTerminal extends Writable {
  writes = 0;
  bytes = 0;
  isTTY = true;
  columns = 160;
  rows = 50;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes += 1;
    this.bytes += chunk.length;
    done();
  }
}

/** The sizes (MiB) of V8's young generation (new space) and old generation (old space) right now. */
function heapSpaces(): { new: number; old: number } {
  const size = (name: string) => (getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0) / 2 ** 20;
  return { new: size('new_space'), old: size('old_space') };
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  delete process.env.CI; // Ink renders differently (final frame only) when it thinks it runs in CI
  const [{ render }, { useBoundedLines }, { LogPane }, { Tails }, { createLocalShell }] = await Promise.all([
    import('ink'),
    import('../../src/hooks/useBoundedLines.js'),
    import('../../components/LogPane.js'),
    import('../../src/engine/tails.js'),
    import('../../src/transports/local-shell.js'),
  ]);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'kt-bench-logtail-'));
  const bin = path.join(dir, 'bin');
  const countFile = path.join(dir, 'count');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin));
  await writeFile(path.join(dir, 'gen.cjs'), GENERATOR);
  const journalctl = (seconds: number) =>
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(dir, 'gen.cjs'))} ${RATE} ${seconds} ${JSON.stringify(countFile)}\n`;
  await writeFile(path.join(bin, 'journalctl'), journalctl(SECONDS));
  await chmod(path.join(bin, 'journalctl'), 0o755);

  let renders = 0;
  let received = 0;
  let push: ((...lines: string[]) => void) | null = null;
  let clear: (() => void) | null = null;
  let last = { visible: 0, bufferLines: 0, dropped: 0, lastLine: '' };

  function Live(): React.JSX.Element {
    const tail = useBoundedLines();
    renders += 1;
    last = { visible: Math.min(20, tail.lines.length), bufferLines: tail.lines.length, dropped: tail.dropped, lastLine: tail.lines[tail.lines.length - 1] ?? '' };
    useEffect(() => {
      push = tail.push;
      clear = tail.clear;
    }, [tail.push, tail.clear]);
    return <LogPane lines={tail.lines} dropped={tail.dropped} height={20} title="agent-1 rke2-agent (journalctl -f)" />;
  }

  const terminal = new NullTerminal();
  const instance = render(<Live />, { stdout: terminal as unknown as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false });
  await new Promise((r) => setTimeout(r, 500));
  if (!push) throw new Error('the LogPane never mounted');

  const sink = {
    emit(e: LogEvent) {
      if (e.type !== 'line') return;
      received += 1;
      push!(e.line);
    },
  };
  const real = createLocalShell({ name: 'agent-1', address: '127.0.0.1', transport: 'local', env: { PATH: `${bin}:/usr/bin:/bin` } });
  let followDone: Promise<unknown> = Promise.resolve();
  const shell: NodeShell = {
    ...real,
    node: real.node,
    follow(script: string, options: FollowOptions) {
      const p = real.follow(script, options);
      followDone = p;
      return p;
    },
  };
  const node: PlannedNode = {
    name: 'agent-1', address: '127.0.0.1', roles: ['worker'], distro: 'rke2', dataDir: '/var/lib/rancher/rke2',
    unit: 'rke2-agent', tier: 'agent', server: false, etcd: false, version: 'v1.32.5+rke2r1', init: false,
  };

  /** One flood of `seconds`; returns how many lines were produced. */
  async function flood(seconds: number): Promise<number> {
    if (MODE === 'direct') return floodDirect(seconds);
    await writeFile(path.join(bin, 'journalctl'), journalctl(seconds));
    const tails = new Tails(sink);
    tails.start(node, shell, new AbortController().signal);
    await followDone;
    await tails.stopAll();
    return Number(await readFile(countFile, 'utf8').catch(() => 'NaN'));
  }

  /** The same lines as the generator, emitted to the sink from this process in 5 ms batches. */
  function floodDirect(seconds: number): Promise<number> {
    const pad = ' '.repeat(40);
    const total = RATE * seconds;
    const t0 = performance.now();
    let n = 0;
    return new Promise((resolve) => {
      const tick = () => {
        const target = Math.min(Math.floor((RATE * (performance.now() - t0)) / 1000), total);
        while (n < target) {
          sink.emit({ type: 'line', node: 'agent-1', stream: 'stdout', line: `Jun 01 12:00:00 agent-1 rke2[4242]: time="2025-06-01T12:00:00Z" level=info msg="flood line ${n++} of the live tail${pad}"` });
        }
        if (n >= total) resolve(n);
        else setTimeout(tick, 5);
      };
      tick();
    });
  }

  // Warm-up: a short flood through the same path, so first-use costs (module code, JIT, Ink's caches) are not
  // counted as growth.
  const warmupSeconds = Number(process.env.LOGTAIL_WARMUP_SECONDS ?? 1);
  if (warmupSeconds > 0) {
    await flood(warmupSeconds);
    received = 0;
    clear!();
    await new Promise((r) => setTimeout(r, 300));
  }
  (global as { gc?: () => void }).gc?.();
  const memBefore = process.memoryUsage();
  const rssBefore = memBefore.rss;
  let rssPeak = rssBefore;
  const spacesBefore = heapSpaces();
  let spacesAtPeak = spacesBefore;
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > rssPeak) [rssPeak, spacesAtPeak] = [rss, heapSpaces()];
  }, 50);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const rendersBefore = renders;
  const writesBefore = terminal.writes;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  const generated = await flood(SECONDS);
  const floodMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const rendersDuring = renders - rendersBefore;
  const writesDuring = terminal.writes - writesBefore;
  await new Promise((r) => setTimeout(r, 300)); // let the last batched render land
  clearInterval(sampler);
  loopDelay.disable();
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const rssAfter = process.memoryUsage().rss;
  (global as { gc?: () => void }).gc?.();
  const memAfter = process.memoryUsage();
  instance.unmount();

  await rm(dir, { recursive: true, force: true });
  emit({
    mode: MODE,
    rate: RATE,
    seconds: SECONDS,
    generated,
    received,
    lost: generated - received,
    bufferLines: last.bufferLines,
    dropped: last.dropped,
    unaccounted: received - (last.bufferLines + last.dropped),
    lastLineIsNewest: last.lastLine.includes(`flood line ${generated - 1} `),
    floodMs,
    renders: rendersDuring,
    rendersPerSecond: rendersDuring / (floodMs / 1000),
    terminalWrites: writesDuring,
    terminalWritesPerSecond: writesDuring / (floodMs / 1000),
    cpuCores: (cpu.user + cpu.system) / 1000 / floodMs,
    rssBeforeMiB: rssBefore / 2 ** 20,
    rssPeakGrowthMiB: (rssPeak - rssBefore) / 2 ** 20,
    rssEndGrowthMiB: (rssAfter - rssBefore) / 2 ** 20,
    /** V8's young and old generation sizes before the flood and at the RSS peak (MiB). */
    newSpaceMiB: [spacesBefore.new, spacesAtPeak.new],
    oldSpaceMiB: [spacesBefore.old, spacesAtPeak.old],
    retainedGrowthMiB: (memAfter.heapUsed + memAfter.external - memBefore.heapUsed - memBefore.external) / 2 ** 20,
    gcExposed: typeof (global as { gc?: unknown }).gc === 'function',
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    emit({ error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    process.exit(1);
  },
);
