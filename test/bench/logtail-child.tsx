// Benchmark 4's measured process (run by logtail.ts, bundled, so its CPU and memory are its own). The live-tail
// path end to end, as a rotation drives it: a node's `journalctl -u UNIT -f` (here a generator that floods RATE
// lines/s for SECONDS) → keyturn's local transport follow() → the engine's Tails → the run bridge (the wizard's
// LogSink: its ring buffer, ≤ 10 notifications/s) → the run screen (RunScreen, with a step running and its
// LogPane), rendered by Ink to a null terminal (160×50, isTTY). Prints one JSON line.
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { Writable } from 'node:stream';
import { SilentStdin } from './lib/silent-stdin.js';
import React from 'react';
import type { Plan, PlannedNode } from '../../src/engine/plan-types.js';
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
  /** Text seen in any write: evidence that the screen drew the tail. */
  sawTail = false;
  isTTY = true;
  columns = 160;
  rows = 50;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes += 1;
    this.bytes += chunk.length;
    if (
      !this.sawTail &&
      String(chunk)
        .replace(/\u001b\[[0-9;]*m/g, '')
        .includes('journalctl -u rke2-agent')
    )
      this.sawTail = true;
    done();
  }
}

/** The sizes (MiB) of V8's young generation (new space) and old generation (old space) right now. */
function heapSpaces(): { new: number; old: number } {
  const size = (name: string) =>
    (getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0) / 2 ** 20;
  return { new: size('new_space'), old: size('old_space') };
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  delete process.env.CI; // Ink renders differently (final frame only) when it thinks it runs in CI
  const [{ render }, { RunBridge }, { RunScreen }, { Tails }, { applyEvent, initialState }, { createLocalShell }] =
    await Promise.all([
      import('ink'),
      import('../../src/hooks/run-bridge.js'),
      import('../../src/screens/RunScreen.js'),
      import('../../src/engine/tails.js'),
      import('../../src/engine/reducer.js'),
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

  const node: PlannedNode = {
    name: 'agent-1',
    address: '127.0.0.1',
    roles: ['worker'],
    distro: 'rke2',
    dataDir: '/var/lib/rancher/rke2',
    unit: 'rke2-agent',
    tier: 'agent',
    server: false,
    etcd: false,
    version: 'v1.32.5+rke2r1',
    init: false,
  };
  // One node, one block: the step whose tail the screen shows (restart the agent, then settle while it logs).
  const stepKey = 'bench/agent-1/agents.restart';
  const plan: Plan = {
    recipe: 'bench',
    title: 'Live log tail',
    support: 'full',
    runId: 'BENCH-1',
    distro: 'rke2',
    version: node.version,
    settleSeconds: 1,
    nodes: [node],
    blocks: [
      {
        key: 'bench/agent-1/agents',
        phase: 'agents',
        phaseTitle: 'Restart each agent',
        node: 'agent-1',
        confirm: 'none',
        typeName: false,
        rolling: true,
        steps: [
          {
            key: stepKey,
            blockKey: 'bench/agent-1/agents',
            phase: 'agents',
            stepId: 'restart',
            node: 'agent-1',
            kind: 'command',
            title: 'Restart the agent',
            step: {
              id: 'restart',
              kind: 'command',
              title: 'Restart the agent',
              run: { op: 'restart-service' },
            } as unknown as Plan['blocks'][number]['steps'][number]['step'],
            command: 'systemctl restart rke2-agent',
            check: null,
            detail: '',
            disrupts: true,
            destructive: false,
            tail: true,
          },
        ],
      },
    ],
    warnings: [],
  };

  // The run screen as the wizard has it during a run: a bridge in the running stage with a step under way.
  const bridge = new RunBridge({ recipe: 'bench', runId: plan.runId, cluster: 'bench', resumed: false });
  let state = initialState({
    type: 'run-created',
    at: new Date().toISOString(),
    runId: plan.runId,
    plan,
    operator: { user: 'bench', host: os.hostname() },
    cluster: { server: null },
  });
  bridge.startRunning(state);
  const stepStarted = {
    type: 'step-started' as const,
    at: new Date().toISOString(),
    key: stepKey,
    attempt: 1,
    command: 'systemctl restart rke2-agent',
  };
  state = applyEvent(state, stepStarted);
  bridge.onEvent(stepStarted, state);

  // Renders: the bridge's notifications, each one a render of the run screen (useSyncExternalStore).
  let renders = 0;
  let received = 0;
  bridge.subscribe(() => {
    renders += 1;
  });
  const logs = () => bridge.getSnapshot().logs;

  const terminal = new NullTerminal();
  const instance = render(<RunScreen bridge={bridge} onExit={() => undefined} />, {
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: new SilentStdin() as unknown as NodeJS.ReadStream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  await new Promise((r) => setTimeout(r, 500));

  const sink = {
    emit(e: LogEvent) {
      if (e.type === 'line') received += 1;
      bridge.emit(e);
    },
  };
  const real = createLocalShell({
    name: 'agent-1',
    address: '127.0.0.1',
    transport: 'local',
    env: { PATH: `${bin}:/usr/bin:/bin` },
  });
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
    sink.emit({ type: 'tail-started', node: 'agent-1', unit: 'rke2-agent', command: 'journalctl -u rke2-agent -f' });
    const t0 = performance.now();
    let n = 0;
    return new Promise((resolve) => {
      const tick = () => {
        const target = Math.min(Math.floor((RATE * (performance.now() - t0)) / 1000), total);
        while (n < target) {
          sink.emit({
            type: 'line',
            node: 'agent-1',
            stream: 'stdout',
            line: `Jun 01 12:00:00 agent-1 rke2[4242]: time="2025-06-01T12:00:00Z" level=info msg="flood line ${n++} of the live tail${pad}"`,
          });
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
    // Another node's tail starts between the floods: the bridge empties its ring, as it does between nodes.
    bridge.emit({ type: 'tail-started', node: 'between-floods', unit: 'none', command: 'true' });
    received = 0;
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
  const shown = logs();
  const screenShowsTail = terminal.sawTail;
  clearInterval(sampler);
  loopDelay.disable();
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const rssAfter = process.memoryUsage().rss;
  (global as { gc?: () => void }).gc?.();
  const memAfter = process.memoryUsage();
  instance.unmount();
  bridge.dispose();

  await rm(dir, { recursive: true, force: true });
  emit({
    mode: MODE,
    rate: RATE,
    seconds: SECONDS,
    generated,
    received,
    lost: generated - received,
    bufferLines: shown.lines.length,
    dropped: shown.dropped,
    unaccounted: received - (shown.lines.length + shown.dropped),
    lastLineIsNewest: (shown.lines[shown.lines.length - 1] ?? '').includes(`flood line ${generated - 1} `),
    screenShowsTail,
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
