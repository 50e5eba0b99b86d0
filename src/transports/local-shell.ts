// Runs node commands on this machine: the lab's nodes, or a real node when keyturn runs on the server itself.
import type { InventoryNode } from '../model/inventory.js';
import { buildResult, envAssignments, OutputCapture, type OutcomeRules } from './exec-result.js';
import { runProcess } from './process-runner.js';
import type { ExecOptions, ExecResult, FollowOptions, NodeShell } from './types.js';

const LOCAL_RULES: OutcomeRules = {};

export function createLocalShell(node: InventoryNode): NodeShell {
  // Validate env names up front: bad inventory should fail when the shell is built, not mid-rotation.
  const assignments = envAssignments(node.name, node.env);
  // node.env overlays ours, and spawn() looks `sh` (or `sudo`) up on that PATH: the lab puts a bin/sh first there.
  const env: NodeJS.ProcessEnv = { ...process.env, ...node.env };
  const argvFor = (script: string): [string, string[]] =>
    node.sudo
      ? // sudo resets the environment, so the node's variables are passed through `env` explicitly.
        ['sudo', ['-n', ...(assignments.length > 0 ? ['env', ...assignments] : []), 'sh', '-c', script]]
      : ['sh', ['-c', script]];

  const execute = async (script: string, options: ExecOptions, follow?: FollowOptions): Promise<ExecResult> => {
    const capture = new OutputCapture(follow);
    const [command, args] = argvFor(script);
    const { end, durationMs } = await runProcess({
      command,
      args,
      env,
      stdin: options.stdin,
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
