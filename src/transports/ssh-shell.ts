// Runs node commands through the system `ssh`, so ~/.ssh/config, agents, ProxyJump and known_hosts all apply.
// Node commands stream through process-runner (own process groups, byte-level stderr filtering, bounded output:
// zx keeps every byte a process prints, which a long `journalctl -f` must not). The short one-shot helpers
// (resolving the control path, opening the master, remote kill, `-O stop`) go through zx, quiet so nothing reaches
// the terminal Ink draws on. zx quotes for the LOCAL bash only; the remote command inside is already quoted for
// POSIX sh with shq.
//
// One master connection per target (ControlMaster/ControlPath), opened before the first command: when ssh is left
// to open it itself, every command started before the master is up opens its own TCP connection ("ControlSocket
// ... already exists, disabling multiplexing"), and a burst of them (a scan, a step and its live log follow) meets
// sshd's MaxStartups and is dropped, or races the new master ("mux_client_request_session: read from master
// failed: Broken pipe | Failed to connect to new control master"). So per control path, one caller checks or opens
// the master and concurrent callers wait for it; a command that still meets a mux failure before it started on the
// node is tried once more.
//
// A one-shot command (ExecOptions.oneShot: a status scan) opens no master: it is one `ssh` with ControlMaster=no,
// which rides a master already listening at the control path and else connects for itself, as parallel-ssh does.
// A master costs three more processes per node (`ssh -G` for its path, the master, `-O stop`) that a node read
// once never pays back. A shell that never opened a master has nothing to stop on dispose.
import { connect } from 'node:net';
import type { InventoryNode } from '../model/inventory.js';
import { buildResult, OutputCapture, type OutcomeRules } from './exec-result.js';
import { stdinWith } from './env-stdin.js';
import { MarkerFilter } from './marker-filter.js';
import { runProcess, type ProcessEnd } from './process-runner.js';
import {
  buildRemoteInvocation,
  checkControlDir,
  nodeCommand,
  remoteKillScript,
  sshConnectionArgs,
  type RemoteProcess,
} from './ssh-command.js';
import type { ExecOptions, ExecResult, FollowOptions, NodeShell } from './types.js';
import { ensureOwnDir } from '../util/private-dir.js';

export interface SshShellOptions {
  /** Where control sockets live; keep it short (unix socket paths are limited to ~104 bytes). */
  controlDir: string;
  connectTimeoutSeconds?: number;
  sshBinary?: string;
}

/** ssh exits 255 when it failed itself (connect, auth, host key), as opposed to the remote command's status. */
const SSH_CONNECTION_EXIT = 255;
const SSH_RULES: OutcomeRules = { connectionExitCode: SSH_CONNECTION_EXIT };
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
/** If we must stop a command whose marker has not arrived yet, how long to wait for it. */
const MARKER_GRACE_MS = 1_000;
/** A master that does not accept a connection on its control socket within this is treated as absent. */
const MASTER_PROBE_TIMEOUT_MS = 2_000;
/**
 * OpenSSH's own messages when the multiplexing (not the node) failed: the master went away or refused the session.
 * Only retried when the command had not started on the node yet (no process marker arrived).
 */
const MUX_FAILURE =
  /mux_client_request_session: .*failed|Failed to connect to new control master|muxclient: master hello exchange failed/;

/** What checking or opening the master connection came to. */
type MasterState = { ok: true } | { ok: false; end: ProcessEnd; stderr: string };

/**
 * Control paths whose master connection one of this process's shells is checking or opening right now. Keyed by the
 * control path ssh resolves (ssh -G), so two inventory names that reach the same host, port and user share it.
 */
const openingMasters = new Map<string, Promise<MasterState>>();

export function createSshShell(node: InventoryNode, opts: SshShellOptions): NodeShell {
  checkControlDir(opts.controlDir);
  // Only we may enter it: a socket someone else planted there would receive our connections.
  ensureOwnDir(opts.controlDir, 'ssh control dir', 'private');
  nodeCommand(node, 'true'); // validates env names now rather than at the first command
  const connectTimeoutSeconds = opts.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const sshBinary = opts.sshBinary ?? 'ssh';
  const connectionArgs = sshConnectionArgs(node, { controlDir: opts.controlDir, connectTimeoutSeconds });
  const oneShotArgs = sshConnectionArgs(node, {
    controlDir: opts.controlDir,
    connectTimeoutSeconds,
    controlMaster: 'no',
  });
  /** Whether this shell checked or opened a master since its last dispose: only then is there one to stop. */
  let usedMaster = false;
  // A helper command (master check/open, kill, -O stop) may take a connect plus a little work; never longer.
  const helperTimeoutMs = (connectTimeoutSeconds + 5) * 1000;
  /** Commands of this shell still running, so dispose can end them (on the node too) before closing the master. */
  const running = new Map<AbortController, Promise<unknown>>();

  /** A helper's exit code (null: it did not exit by itself) and its few lines of output. */
  const runHelper = async (
    args: string[],
    input?: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    // Loaded on first use: the wizard's first frame and the lab's local nodes never need zx.
    const { $ } = await import('zx');
    const stdio = [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] as const;
    const out = await $({
      quiet: true,
      nothrow: true,
      verbose: false,
      timeout: helperTimeoutMs,
      stdio: [...stdio],
      ...(input === undefined ? {} : { input }),
    })`${sshBinary} ${args}`;
    return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
  };

  let controlPath: Promise<ControlPath> | null = null;
  /** The control socket ssh will use for this node (after ~/.ssh/config); our own arguments when ssh cannot say. */
  const controlPathOf = (): Promise<ControlPath> =>
    (controlPath ??= runHelper(['-G', ...connectionArgs]).then((resolved) => {
      const socket = resolved.code === 0 ? /^controlpath (.+)$/m.exec(resolved.stdout)?.[1] : undefined;
      return socket ? { key: socket, socket } : { key: `${sshBinary}\0${connectionArgs.join('\0')}`, socket: null };
    }));

  const openMaster = async (path: ControlPath): Promise<MasterState> => {
    // A master listens on the control socket; asking it directly costs no process (ssh -O check when we lack the path).
    const listening =
      path.socket !== null
        ? await masterListening(path.socket)
        : (await runHelper(['-O', 'check', ...connectionArgs])).code === 0;
    if (listening) return { ok: true };
    // With ControlMaster=auto and ControlPersist, this connection becomes the master and stays in the background;
    // -N: no session, so the node's login shell does not run for it.
    const open = await runHelper(['-T', '-N', ...connectionArgs]);
    if (open.code === SSH_CONNECTION_EXIT)
      return { ok: false, end: { kind: 'exited', code: open.code }, stderr: open.stderr };
    // Anything else (ssh missing, our helper deadline passed): let the command find out for itself.
    return { ok: true };
  };

  const ensureMaster = async (): Promise<MasterState> => {
    usedMaster = true;
    const path = await controlPathOf();
    const key = path.key;
    let opening = openingMasters.get(key);
    if (!opening) {
      const started = openMaster(path);
      opening = started;
      openingMasters.set(key, started);
      void started.finally(() => {
        if (openingMasters.get(key) === started) openingMasters.delete(key);
      });
    }
    return opening;
  };

  const attempt = async (script: string, options: ExecOptions, follow: FollowOptions | undefined) => {
    const { nonce, remoteCommand, stdinPrefix } = buildRemoteInvocation(node, script);
    // A one-shot command's helpers (the remote kill) must not open a master either.
    const args = options.oneShot ? oneShotArgs : connectionArgs;
    const capture = new OutputCapture(follow);
    const remote = awaitableMarker();
    const stderrFilter = new MarkerFilter(nonce, remote.set, (chunk) => capture.addStderr(chunk));

    const { end, durationMs } = await runProcess({
      command: sshBinary,
      args: ['-T', ...args, remoteCommand],
      env: process.env,
      stdin: stdinWith(stdinPrefix, options.stdin),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onStdout: (chunk) => capture.addStdout(chunk),
      onStderr: (chunk) => stderrFilter.push(chunk),
      beforeStop: async () => {
        const target = await remote.within(MARKER_GRACE_MS);
        if (target) {
          const kill = nodeCommand(node, remoteKillScript(target));
          await runHelper(['-T', ...args, kill.remoteCommand], kill.stdinPrefix ?? undefined);
        }
      },
    });
    stderrFilter.end();
    const result = buildResult(node.name, script, end, durationMs, capture, SSH_RULES);
    return { result, startedOnNode: remote.seen() };
  };

  const execute = async (script: string, options: ExecOptions, follow?: FollowOptions): Promise<ExecResult> => {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    const deadline = options.timeoutMs === undefined ? undefined : startedAt + options.timeoutMs;
    const remainingMs = () =>
      deadline === undefined ? undefined : Math.max(1, Math.round(deadline - performance.now()));
    const endedEarly = (end: ProcessEnd, stderr = '') => {
      const capture = new OutputCapture(follow);
      if (stderr) capture.addStderr(Buffer.from(stderr));
      return buildResult(node.name, script, end, elapsed(), capture, SSH_RULES);
    };

    let lastResult: ExecResult | null = null;
    for (let tries = 0; tries < 2; tries++) {
      if (!options.oneShot) {
        const master = await within(ensureMaster(), options.signal, remainingMs());
        if (master === 'aborted' || master === 'timeout') return endedEarly({ kind: master });
        // The node was not reached (refused, host key, auth): the command was not started, and says why.
        if (!master.ok) return endedEarly(master.end, master.stderr);
      }
      const { result, startedOnNode } = await attempt(script, { ...options, timeoutMs: remainingMs() }, follow);
      lastResult = { ...result, durationMs: elapsed() };
      const muxFailed = result.code === SSH_CONNECTION_EXIT && !startedOnNode && MUX_FAILURE.test(result.stderr);
      if (!muxFailed) return lastResult;
    }
    return lastResult as ExecResult;
  };

  /** Runs a command as one this shell can end on dispose. */
  const tracked = (script: string, options: ExecOptions, follow?: FollowOptions): Promise<ExecResult> => {
    // Linked by hand: Node 20 garbage-collects an AbortSignal.any() signal that only its listeners reference, and it
    // then never fires.
    const stop = new AbortController();
    const forward = () => stop.abort();
    if (options.signal?.aborted) stop.abort();
    else options.signal?.addEventListener('abort', forward, { once: true });
    const done = execute(script, { ...options, signal: stop.signal }, follow);
    running.set(stop, done);
    void done.finally(() => {
      running.delete(stop);
      options.signal?.removeEventListener('abort', forward);
    });
    return done;
  };

  return {
    node: node.name,
    run: (script, options = {}) => tracked(script, options),
    follow: (script, options) => tracked(script, { signal: options.signal }, options),
    dispose: async () => {
      // A command still running here is ended on the node, not cut off with the connection.
      const ending = [...running.entries()];
      for (const [stop] of ending) stop.abort();
      await Promise.allSettled(ending.map(([, done]) => done));
      // Stop, not exit: the master stops taking new sessions and goes once the last one ends, so a command another
      // keyturn (or another shell for the same host) is running through it is not cut off. Fails harmlessly (no
      // socket) when no master is running. A shell that only ran one-shot commands opened none: no process then, and
      // a second dispose does not stop again.
      if (!usedMaster) return;
      usedMaster = false;
      await runHelper(['-O', 'stop', ...connectionArgs]);
    },
  };
}

/** Where a node's master connection listens: `socket` as ssh resolved it, or null when ssh could not say. */
interface ControlPath {
  key: string;
  socket: string | null;
}

/** Whether a master accepts connections on its control socket (connecting and closing again does not disturb it). */
function masterListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const settle = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.setTimeout(MASTER_PROBE_TIMEOUT_MS, () => settle(false));
  });
}

/** `promise`'s value, or 'aborted' / 'timeout' if the signal or the deadline comes first. */
function within<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<T | 'aborted' | 'timeout'> {
  if (signal?.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const settle = (value: T | 'aborted' | 'timeout') => {
      cleanup();
      resolve(value);
    };
    const onAbort = () => settle('aborted');
    if (timeoutMs !== undefined) timer = setTimeout(() => settle('timeout'), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(settle, (error: unknown) => {
      cleanup();
      reject(error);
    });
  });
}

/** The remote process group, once the wrapper has reported it. */
function awaitableMarker() {
  let value: RemoteProcess | null = null;
  let notify: (() => void) | null = null;
  return {
    set: (remote: RemoteProcess) => {
      value = remote;
      notify?.();
    },
    seen: (): boolean => value !== null,
    within: (ms: number): Promise<RemoteProcess | null> => {
      if (value) return Promise.resolve(value);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(value), ms);
        notify = () => {
          clearTimeout(timer);
          resolve(value);
        };
      });
    },
  };
}
