// The one place that starts a child process for the node shells. Each child gets its own process group (detached)
// so a timeout or abort ends everything the script started, not just `sh`; and so the operator's Ctrl-C in the Ink
// screen is not delivered straight to node commands behind our back.
import { spawn } from 'node:child_process';

export type ProcessEnd =
  | { kind: 'exited'; code: number }
  | { kind: 'signalled'; signal: NodeJS.Signals }
  | { kind: 'spawn-failed'; message: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  stdin?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /**
   * Runs when our timeout or the caller's abort stops the process, before the local group is killed. The ssh shell
   * uses it to end the command on the node, which killing the local ssh would not do. Must bound its own duration.
   */
  beforeStop?: () => Promise<void>;
}

export interface ProcessRun {
  end: ProcessEnd;
  durationMs: number;
}

/** How long a group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2_000;
/**
 * After the child exits, how long we wait for its pipes to close before giving up on them: only a backgrounded
 * grandchild holds them open that long. Short graces lose unread output on a loaded machine (seen at 500 ms).
 */
const DRAIN_AFTER_EXIT_MS = 5_000;

export function runProcess(spec: ProcessSpec): Promise<ProcessRun> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  if (spec.signal?.aborted) return Promise.resolve({ end: { kind: 'aborted' }, durationMs: 0 });

  return new Promise<ProcessRun>((resolve) => {
    const child = spawn(spec.command, [...spec.args], {
      env: spec.env,
      detached: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });

    let stopReason: 'timeout' | 'aborted' | null = null;
    let exitEnd: ProcessEnd | null = null;
    let finished = false;
    // While the ssh shell ends a command on the node, we do not report back: the caller may check right after.
    let stopping: Promise<void> = Promise.resolve();
    const timers: NodeJS.Timeout[] = [];

    const finish = (end: ProcessEnd) => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve({ end, durationMs: elapsed() });
    };

    const killGroup = (signal: NodeJS.Signals) => {
      // Never signal a group whose leader has been reaped: its id may already belong to someone else.
      if (exitEnd !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: it ended on its own meanwhile.
      }
    };

    const stop = (reason: 'timeout' | 'aborted') => {
      if (stopReason !== null || exitEnd !== null || finished) return;
      stopReason = reason;
      const beforeStop = spec.beforeStop ? spec.beforeStop().catch(() => undefined) : Promise.resolve();
      stopping = beforeStop;
      void beforeStop.then(() => {
        if (exitEnd !== null) return;
        killGroup('SIGTERM');
        timers.push(setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS));
      });
    };
    const onAbort = () => stop('aborted');

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Without a pid the process never started (ENOENT, EACCES); later errors are about signals and are moot.
      if (child.pid === undefined) finish({ kind: 'spawn-failed', message: `${spec.command}: ${error.message}` });
    });
    child.stdout?.on('data', (chunk: Buffer) => spec.onStdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => spec.onStderr(chunk));
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE when the script does not read its input
      child.stdin.end(spec.stdin);
    }

    child.on('exit', (code, signal) => {
      exitEnd =
        code !== null
          ? { kind: 'exited', code }
          : { kind: 'signalled', signal: signal ?? ('SIGKILL' as NodeJS.Signals) };
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finishAfterExit();
        }, DRAIN_AFTER_EXIT_MS),
      );
    });
    child.on('close', () => finishAfterExit());
    const finishAfterExit = () => {
      const end = exitEnd;
      if (end === null) return;
      void stopping.then(() => finish(stopReason !== null ? { kind: stopReason } : end));
    };

    if (spec.timeoutMs !== undefined) timers.push(setTimeout(() => stop('timeout'), spec.timeoutMs));
    spec.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
