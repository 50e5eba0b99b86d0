// Runs node commands through the system `ssh`, so ~/.ssh/config, agents, ProxyJump and known_hosts all apply.
// Node commands stream through process-runner (own process groups, byte-level stderr filtering, bounded output:
// zx keeps every byte a process prints, which a long `journalctl -f` must not). The short one-shot helpers
// (remote kill, `ssh -O exit`) go through zx, quiet so nothing reaches the terminal Ink draws on. zx quotes for
// the LOCAL bash only; the remote command inside is already quoted for POSIX sh with shq.
import { mkdirSync } from 'node:fs';
import { $ } from 'zx';
import type { InventoryNode } from '../model/inventory.js';
import { buildResult, OutputCapture, type OutcomeRules } from './exec-result.js';
import { MarkerFilter } from './marker-filter.js';
import { runProcess } from './process-runner.js';
import {
  buildRemoteInvocation,
  checkControlDir,
  nodeCommand,
  remoteKillScript,
  sshConnectionArgs,
  type RemoteProcess,
} from './ssh-command.js';
import type { ExecOptions, ExecResult, FollowOptions, NodeShell } from './types.js';

export interface SshShellOptions {
  /** Where control sockets live; keep it short (unix socket paths are limited to ~104 bytes). */
  controlDir: string;
  connectTimeoutSeconds?: number;
  sshBinary?: string;
}

/** ssh exits 255 when it failed itself (connect, auth, host key), as opposed to the remote command's status. */
const SSH_RULES: OutcomeRules = { connectionExitCode: 255 };
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
/** If we must stop a command whose marker has not arrived yet, how long to wait for it. */
const MARKER_GRACE_MS = 1_000;

export function createSshShell(node: InventoryNode, opts: SshShellOptions): NodeShell {
  checkControlDir(opts.controlDir);
  mkdirSync(opts.controlDir, { recursive: true, mode: 0o700 });
  nodeCommand(node, 'true'); // validates env names now rather than at the first command
  const connectTimeoutSeconds = opts.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  const sshBinary = opts.sshBinary ?? 'ssh';
  const connectionArgs = sshConnectionArgs(node, { controlDir: opts.controlDir, connectTimeoutSeconds });
  // A helper command (kill, -O exit) may take a connect plus a little work; never longer.
  const helperTimeoutMs = (connectTimeoutSeconds + 5) * 1000;

  const runHelper = async (extraArgs: string[], remoteCommand?: string): Promise<void> => {
    const args = [...extraArgs, ...connectionArgs, ...(remoteCommand === undefined ? [] : [remoteCommand])];
    await $({ quiet: true, nothrow: true, verbose: false, timeout: helperTimeoutMs, stdio: ['ignore', 'pipe', 'pipe'] })`${sshBinary} ${args}`;
  };

  const execute = async (script: string, options: ExecOptions, follow?: FollowOptions): Promise<ExecResult> => {
    const { nonce, remoteCommand } = buildRemoteInvocation(node, script);
    const capture = new OutputCapture(follow);
    const remote = awaitableMarker();
    const stderrFilter = new MarkerFilter(nonce, remote.set, (chunk) => capture.addStderr(chunk));

    const { end, durationMs } = await runProcess({
      command: sshBinary,
      args: ['-T', ...connectionArgs, remoteCommand],
      env: process.env,
      stdin: options.stdin,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onStdout: (chunk) => capture.addStdout(chunk),
      onStderr: (chunk) => stderrFilter.push(chunk),
      beforeStop: async () => {
        const target = await remote.within(MARKER_GRACE_MS);
        if (target) await runHelper(['-T'], nodeCommand(node, remoteKillScript(target)));
      },
    });
    stderrFilter.end();
    return buildResult(node.name, script, end, durationMs, capture, SSH_RULES);
  };

  return {
    node: node.name,
    run: (script, options = {}) => execute(script, options),
    follow: (script, options) => execute(script, { signal: options.signal }, options),
    dispose: async () => {
      // Fails harmlessly (no socket) when no master is running.
      await runHelper(['-O', 'exit']);
    },
  };
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
