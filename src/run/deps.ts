// What a run needs from the command that starts it: the cluster session it scanned with, where journals and the
// workstation lock live, who is at the keyboard, a clock, and how to name keyturn commands to the operator.
import type { AgentWaveSize, Clock, Operator } from '../engine/index.js';
import type { ClusterIdentity } from '../model/cluster-identity.js';
import type { InventoryNode } from '../model/inventory.js';
import type { KubeGateway, NodeShell } from '../transports/types.js';

/** The part of the command's cluster session (commands/cluster-session.ts) a run uses. */
export interface RunSession {
  gateway: KubeGateway | null;
  /** Every node the last scan reached, as it reached it. */
  targets(): InventoryNode[];
  /** The shell of a node the last scan reached. */
  shell(name: string): NodeShell;
  /** Which cluster the last scan read (null before the first scan): what a run is bound to. */
  identity(): ClusterIdentity | null;
}

/**
 * How the run names `keyturn …` commands: with the operator's --kubeconfig, --context, --inventory and --state-dir
 * (commands/keyturn-command.ts commandText is the one implementation).
 */
export interface CommandText {
  /** `keyturn <args…>` plus the session's options, quoted for POSIX sh. */
  command(args: readonly string[]): string;
  /** Text naming keyturn commands in backticks, with the session's options added to each. */
  withOptions(text: string): string;
}

export interface RunDeps {
  session: RunSession;
  stateDir: string;
  operator: Operator;
  clock: Clock;
  say: CommandText;
}

/** Settle and gate windows the operator chose (`run --settle`, `--gate-timeout`). */
export interface RunTiming {
  settleSeconds?: number;
  gateTimeoutSeconds?: number;
  /** Only `keyturn demo`: the lab's --speed (engine/time-scale.ts). */
  timeScale?: number;
  /** `run --agent-wave`: agents in waves of at most this many (default one at a time). */
  agentWave?: AgentWaveSize;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export const holderOf = (op: Operator): string => `${op.user}@${op.host}`;
