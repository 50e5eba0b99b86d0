// The run's user interface, as the conductor (conduct.ts) and the preview's settle offer (prepare.ts) use it: the
// screen's side of a run. hooks/run-bridge.ts implements it for the Ink run screen; the run layer never imports a
// screen or a hook.
import type { ConfirmPort, LogSink, RunPorts } from '../engine/index.js';
import type { AgentWaveSize, Plan } from '../engine/index.js';
import type { RunState } from '../engine/index.js';
import type { LockHolder } from '../engine/index.js';

export type RunStage =
  | { kind: 'preview' }
  | { kind: 'starting'; message: string }
  | { kind: 'takeover'; holder: string; runId: string; where: string; expiredAt: string }
  | { kind: 'running' }
  /** The run is over (or never started); waitForKey: the operator reads the screen and presses q. */
  | { kind: 'done'; waitForKey: boolean; message: string };

export interface RunHeader {
  recipe: string;
  runId: string;
  cluster: string;
  resumed: boolean;
  /** Adds the operator's --kubeconfig/--context/--inventory/--state-dir to the `keyturn …` commands a text names. */
  withOptions?: (text: string) => string;
}

/** The settle window on the plan preview, in the cluster's seconds (a rehearsal runs it divided by timeScale). */
export interface SettleChoice {
  seconds: number;
  choices: readonly number[];
  timeScale?: number;
}

/** Agents per wave on the plan preview (`run --agent-wave`), offered when the plan has more than one agent. */
export interface AgentWaveChoice {
  size: AgentWaveSize;
  choices: readonly AgentWaveSize[];
  /** Agents in the plan, and the size the plan made of `size` (P% rounded up). */
  agents: number;
  resolved: number;
}

/** A node this run left stopped, offered to the operator for a start. */
export interface StartOffer {
  node: string;
  unit: string;
  command: string;
}

export interface RunUi extends ConfirmPort, LogSink {
  /** Aborted when the operator stops the run for good (a second q, ctrl-c, SIGTERM). */
  readonly signal: AbortSignal;
  /** The plan to run: the last one shown (the operator may have changed its settle window on the preview). */
  readonly plan: Plan | null;
  setPlan(plan: Plan): void;
  setStage(stage: RunStage): void;
  setHeader(header: Partial<RunHeader>): void;
  /** Offers the settle window on the preview; `replan` makes the plan again with another (null: refused). */
  offerSettle(choice: SettleChoice, replan: (settleSeconds: number) => Plan | null): void;
  /** Offers the agent wave size on the preview; `replan` makes the plan again with another (null: refused). */
  offerAgentWave(choice: AgentWaveChoice, replan: (size: AgentWaveSize) => Plan | null): void;
  /** Shows the plan and waits for the operator's go (true) or cancel (false). */
  waitForStart(plan: Plan): Promise<boolean>;
  askTakeover(holder: LockHolder, where: string): Promise<boolean>;
  /** The run starts (or resumes) from this state. */
  startRunning(state: RunState): void;
  /** The loud lines for nodes left stopped (empty: none). */
  showStopped(lines: readonly string[]): void;
  /** Resolves true when the operator confirms the start. */
  askStartStopped(offer: StartOffer): Promise<boolean>;
  /** The last line; waitForKey: the operator reads the screen before it goes. */
  finish(message: string, waitForKey: boolean): void;
  onEvent: NonNullable<RunPorts['onEvent']>;
}
