// Runs node commands on this machine: the lab's nodes, or a real node when keyturn runs on the server itself.
import type { InventoryNode } from '../model/inventory.js';
import { deliverEnv, stdinWith } from './env-stdin.js';
import { buildResult, envAssignments, OutputCapture, type OutcomeRules } from './exec-result.js';
import { runProcess } from './process-runner.js';
import type { ExecOptions, ExecResult, FollowOptions, NodeShell } from './types.js';

const LOCAL_RULES: OutcomeRules = {};

export function createLocalShell(node: InventoryNode): NodeShell {
  // Validate env names up front: bad inventory should fail when the shell is built, not mid-rotation.
  envAssignments(node.name, node.env);
  // node.env overlays ours, and spawn() looks `sh` (or `sudo`) up on that PATH: the lab puts a bin/sh first there.
  const env: NodeJS.ProcessEnv = { ...process.env, ...node.env };
  const invocationOf = (script: string): { command: string; args: string[]; stdinPrefix: string | null } => {
    if (!node.sudo) return { command: 'sh', args: ['-c', script], stdinPrefix: null };
    // sudo resets the environment, so the node's variables are passed again — on stdin, never on sudo's command line.
    const delivery = deliverEnv(node.name, node.env, script);
    return { command: 'sudo', args: ['-n', 'sh', '-c', delivery.script], stdinPrefix: delivery.stdinPrefix };
  };

  const execute = async (script: string, options: ExecOptions, follow?: FollowOptions): Promise<ExecResult> => {
    const capture = new OutputCapture(follow);
    const { command, args, stdinPrefix } = invocationOf(script);
    const { end, durationMs } = await runProcess({
      command,
      args,
      env,
      stdin: stdinWith(stdinPrefix, options.stdin),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onStdout: (chunk) => capture.addStdout(chunk),
      onStderr: (chunk) => capture.addStderr(chunk),
    });
    return buildResult(node.name, script, end, durationMs, capture, LOCAL_RULES);
  };

  return {
    node: node.name,
    run: (script, options = {}) => execute(script, options),
    follow: (script, options) => execute(script, { signal: options.signal }, options),
    dispose: async () => undefined,
  };
}
