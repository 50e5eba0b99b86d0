// `keyturn demo`: start a lab (split topology) in a child process, open the wizard on it, and tear the lab down
// when the wizard closes or the demo is interrupted. The lab's output never reaches our terminal: it is piped
// and only its stderr tail is shown if it fails to come up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selfArgs } from '../util/self-command.js';

export interface DemoOptions {
  distro: string;
  speed: string;
  /** The lab's shape (split unless asked: the incident topology); single for a quick rehearsal. */
  topology?: string;
  /** First three octets of the lab's node addresses (127.0.10 unless another lab uses them). */
  net?: string;
}

const READY_DEADLINE_MS = 60_000;
const STOP_DEADLINE_MS = 20_000;

/** The lab's own one-line error when it gave one (its `keyturn: ` line), else the last lines it printed. */
function tail(text: string, lines = 3): string {
  const all = text.trim().split('\n');
  const own = all.find((l) => l.startsWith('keyturn: '));
  if (own) return own.slice('keyturn: '.length).replace(/ \(KEYTURN_DEBUG=1 shows where\)$/, '');
  return all.slice(-lines).join(' | ') || 'no output';
}

/**
 * Resolves when the lab prints its `lab ready` line; rejects with its stderr tail if it exits or stalls first.
 * Each stage the lab reports (`lab: …` on its stderr: nodes written, API up, etcd servers started, quorum…) is
 * passed to `onStage` as it comes: starting a lab takes seconds, and a blank screen meanwhile looks hung.
 */
function awaitReady(lab: ChildProcess, deadlineMs: number, onStage: (line: string) => void = () => {}): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      lab.stdout?.removeAllListeners('data');
      lab.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onExit = (code: number | null) =>
      done(new Error(`the lab exited (${code ?? 'signal'}) before it was ready: ${tail(stderr)}`));
    const timer = setTimeout(
      () => done(new Error(`the lab was not ready within ${deadlineMs / 1000} s: ${tail(stderr)}`)),
      deadlineMs,
    );
    lab.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.split('\n').some((l) => l.startsWith('lab ready'))) done();
    });
    let partial = '';
    lab.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('lab: ')) onStage(l.slice('lab: '.length));
    });
    lab.on('exit', onExit);
  });
}

/** SIGTERM, wait for the exit, SIGKILL if it hangs. */
function stopLab(lab: ChildProcess): Promise<void> {
  if (lab.exitCode !== null || lab.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => lab.kill('SIGKILL'), STOP_DEADLINE_MS);
    lab.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    lab.kill('SIGTERM');
  });
}

export async function runDemo(opts: DemoOptions): Promise<number> {
  const { ensureTerminal, runWizard } = await import('./wizard.js');
  // Say so before spending a minute starting a lab the wizard could not show.
  if (!ensureTerminal()) return 2;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'keyturn-demo-'));
  // The same CLI, however it was started (node bin/keyturn.js, tsx from source, or the single binary).
  const topology = opts.topology ?? 'split';
  const args = [
    ...selfArgs(),
    'lab',
    'up',
    '--topology',
    topology,
    '--distro',
    opts.distro,
    '--speed',
    opts.speed,
    '--dir',
    dir,
    ...(opts.net ? ['--net', opts.net] : []),
  ];
  const lab = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Keep draining the pipes after "ready" so a chatty lab never blocks on a full pipe.
  lab.stdout.resume();
  lab.stderr.resume();

  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stopLab(lab);
      // Retries: an etcd member may still be writing its data dir for a moment after the lab itself exited.
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch((err: Error) => {
        process.stderr.write(`keyturn demo: could not remove ${dir}: ${err.message}\n`);
      });
    })());
  // SIGHUP too: closing the terminal window must not leave a lab (and its etcd members) running.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const exitCodes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  let wizardOpen = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // The wizard handles SIGINT itself (a run on screen stops cleanly first) and returns 130; the lab goes after.
    if (signal === 'SIGINT' && wizardOpen) return;
    void cleanUp().finally(() => process.exit(exitCodes[signal] ?? 1));
  };
  // `on`, not `once`: Ink's signal-exit re-raises the signal (killing us before the lab is stopped) when it finds
  // itself the only listener left, which a spent `once` listener would make it.
  for (const s of signals) process.on(s, onSignal);

  try {
    const started = Date.now();
    const stage = (line: string) =>
      process.stdout.write(`  ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}\n`);
    process.stdout.write(
      `keyturn demo: starting a ${topology} ${opts.distro} lab at speed ${opts.speed} (keyturn's own waits run ${opts.speed}× faster too)…\n`,
    );
    try {
      await awaitReady(lab, READY_DEADLINE_MS, stage);
    } catch (err) {
      process.stderr.write(`keyturn demo: ${(err as Error).message}\n`);
      return 2;
    }
    wizardOpen = true;
    stage('lab ready: opening the wizard');
    // A rehearsal: keyturn's settle, gate and wait times are divided by the lab's speed (engine/time-scale.ts).
    return await runWizard({
      kubeconfig: path.join(dir, 'kubeconfig'),
      inventory: path.join(dir, 'inventory.yaml'),
      timeScale: Number(opts.speed),
    });
  } finally {
    await cleanUp();
    for (const s of signals) process.off(s, onSignal);
  }
}
