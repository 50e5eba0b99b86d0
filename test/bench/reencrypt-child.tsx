// Benchmark 6's measured process (bundled like the CLI and run by reencrypt.ts in a process of its own, so its CPU is its own): keyturn's
// rotate-encryption-keys run against a lab with 10 000 secrets, through the real session and transports, with the
// run bridge as its log sink and the run screen rendered by Ink to a null terminal (170×50, isTTY) — the wizard as an
// operator has it while it waits. keyturn's own CPU (process.cpuUsage) is read when the reencrypt wait starts and
// when it ends. The operator answers yes up to the wait and quits at the next question. Prints one JSON line.
//   argv: <kubeconfig> <inventory>; env NODE_ENV=production (set by the parent: React reads it when it loads, and
//   bin/keyturn.js sets it the same way).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SilentStdin } from './lib/silent-stdin.js';
import React from 'react';

class NullTerminal extends Writable {
  writes = 0;
  /** The last write, kept short: evidence when the screen crashed instead of drawing. */
  lastFrame = '';
  isTTY = true;
  columns = 170;
  rows = 50;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes += 1;
    this.lastFrame = String(chunk).slice(0, 2000);
    done();
  }
}

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  delete process.env.CI; // Ink renders differently (final frame only) when it thinks it runs in CI
  const [kubeconfig, inventory] = process.argv.slice(2);
  if (!kubeconfig || !inventory) throw new Error('usage: reencrypt-child.tsx <kubeconfig> <inventory>');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'kt-bench-reencrypt-'));
  process.env.KEYTURN_CONFIG_DIR = path.join(scratch, 'config');
  const [
    { render },
    { findRecipe },
    { openClusterSession },
    { nodeFactsFrom },
    engine,
    { openFileJournal },
    { RunBridge },
    { RunScreen },
    { realClock },
  ] = await Promise.all([
    import('ink'),
    import('../../recipes/index.js'),
    import('../../src/commands/cluster-session.js'),
    import('../../src/run/node-facts.js'),
    import('../../src/engine/index.js'),
    import('../../src/journal/index.js'),
    import('../../src/hooks/run-bridge.js'),
    import('../../src/screens/RunScreen.js'),
    import('../../src/run/deps.js'),
  ]);
  type RunPorts = import('../../src/engine/ports.js').RunPorts;

  const session = await openClusterSession({ kubeconfig, inventory });
  const terminal = new NullTerminal();
  let instance: { unmount(): void } | null = null;
  try {
    const report = await session.discover();
    const runId = engine.newRunId('rotate-encryption-keys', Date.now());
    const planned = engine.planRun(findRecipe('rotate-encryption-keys')!, report, {
      runId,
      settleSeconds: 1,
      nodeFacts: nodeFactsFrom(session.targets()),
    });
    if (!planned.ok) throw new Error(`cannot plan: ${planned.refusal.reason}`);
    const journal = await openFileJournal(path.join(scratch, 'state'), runId);
    const bridge = new RunBridge({
      recipe: 'rotate-encryption-keys',
      runId,
      cluster: session.gateway?.server ?? 'inventory',
      resumed: false,
    });
    instance = render(<RunScreen bridge={bridge} onExit={() => undefined} />, {
      stdout: terminal as unknown as NodeJS.WriteStream,
      stdin: new SilentStdin() as unknown as NodeJS.ReadStream,
      patchConsole: false,
      exitOnCtrlC: false,
    });

    let waitKey: string | null = null;
    let started: { at: number; cpu: NodeJS.CpuUsage; writes: number } | null = null;
    let measured: { ms: number; cpu: NodeJS.CpuUsage; writes: number } | null = null;
    let progressEvents = 0;
    let last: unknown = null;
    const ports: RunPorts = {
      shell: (n) => session.shell(n),
      kube: session.gateway,
      clock: realClock,
      // The operator: yes to every node until the wait is over, then quit at the next question.
      confirm: {
        confirmNode: async (req) =>
          measured ? { answer: 'quit' } : { answer: 'run', typedName: req.node, typedPhrase: req.requireTypedPhrase },
        pause: async () => (measured ? 'quit' : 'continue'),
      },
      journal,
      log: {
        emit: (e) => {
          if (e.type === 'progress') {
            progressEvents += 1;
            last = e.progress;
          }
          bridge.emit(e);
        },
      },
      onEvent: (e, state) => {
        if (e.type === 'step-started' && e.key.endsWith('.reencrypt-wait')) {
          waitKey = e.key;
          started = { at: performance.now(), cpu: process.cpuUsage(), writes: terminal.writes };
        }
        bridge.onEvent(e, state);
        if (e.type === 'step-finished' && e.key === waitKey && started) {
          measured = {
            ms: performance.now() - started.at,
            cpu: process.cpuUsage(started.cpu),
            writes: terminal.writes - started.writes,
          };
        }
      },
    };
    const operator = { user: 'bench', host: os.hostname() };
    const created = await engine.createRun(ports, {
      plan: planned.plan,
      operator,
      cluster: { server: session.gateway?.server ?? null },
    });
    if (!created.ok) throw new Error(created.reason);
    bridge.startRunning(created.state);
    const final = await engine.driveRun(
      created.state,
      ports,
      { operator, resumed: false },
      new AbortController().signal,
    );
    await journal.close();
    const m = measured as { ms: number; cpu: NodeJS.CpuUsage; writes: number } | null;
    if (!m) throw new Error(`the run never finished its reencrypt wait (outcome ${final.outcome.status})`);
    if (m.writes === 0)
      throw new Error(`the run screen drew nothing during the wait: ${terminal.lastFrame.slice(0, 300)}`);
    const cpuMs = (m.cpu.user + m.cpu.system) / 1000;
    emit({
      flow: planned.plan.flow,
      waitMs: m.ms,
      cpuMs,
      userMs: m.cpu.user / 1000,
      systemMs: m.cpu.system / 1000,
      percentOfCore: (cpuMs / m.ms) * 100,
      progressEvents,
      terminalWrites: m.writes,
      last,
      outcome: final.outcome.status,
    });
  } finally {
    instance?.unmount();
    await session.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    emit({ error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
