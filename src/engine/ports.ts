// The engine's ports: everything it needs from the world, filled in by the composition root (run/resume
// commands, the wizard's hooks, tests' fakes). The engine imports no transport implementation.
import type { KubeGateway, NodeShell } from '../transports/types.js';
import type { ReencryptProgress, RunEvent } from './events.js';
import type { PlannedBlock } from './plan-types.js';
import type { RunState } from './reducer.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after ms, or as soon as the signal fires. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface JournalPort {
  /** Appends one event durably (the file journal fsyncs) before the engine acts on it. */
  append(event: RunEvent): Promise<void>;
}

export interface ConfirmStepView {
  key: string;
  title: string;
  command: string | null;
  detail: string;
  destructive: boolean;
  /** Finished in an earlier session: shown, not run again. */
  done: boolean;
}

export interface ConfirmRequest {
  runId: string;
  block: PlannedBlock;
  node: string;
  unit: string;
  steps: ConfirmStepView[];
  /** The operator must type the node name (answer.typedName) for 'run' to count. */
  requireTypedName: boolean;
  /** Some steps of this block ran in an earlier session. */
  resumed: boolean;
  /** The operator overrode a refusal: 'run' counts only with this phrase typed (answer.typedPhrase). */
  requireTypedPhrase?: string;
  /** Set when asking again: why the previous answer was not accepted. */
  retry?: string;
  /** An agent wave: one answer for all its nodes (block and steps are its first node's, the others' are alike). */
  wave?: { key: string; index: number; of: number; phase: string; nodes: string[] };
}

export type ConfirmAnswer =
  { answer: 'run'; typedName?: string; typedPhrase?: string } | { answer: 'skip' } | { answer: 'quit' };

export interface PauseRequest {
  runId: string;
  node: string;
  key: string;
  message: string;
}

export interface ConfirmPort {
  confirmNode(request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer>;
  pause(request: PauseRequest, signal: AbortSignal): Promise<'continue' | 'quit'>;
}

/** A settle, gate or wait in flight: how long it has waited, for how long it may, and what it waits on. */
export interface WaitProgress {
  elapsedSeconds: number;
  totalSeconds: number;
  /** e.g. "0 restarts · active/running", or "etcd-quorum pending: 2 of 3 members healthy". */
  about: string;
}

/**
 * What a run shows live: the journal lines of the node being changed (the UI keeps them in a bounded pane), the
 * re-encryption progress of the node running it (sent on every poll whose reading changed), and where a settle,
 * gate or wait stands (sent on every sample).
 */
export type LogEvent =
  | { type: 'tail-started'; node: string; unit: string; command: string }
  | { type: 'line'; node: string; line: string; stream: 'stdout' | 'stderr' }
  | { type: 'tail-stopped'; node: string }
  | { type: 'progress'; node: string; progress: ReencryptProgress; stallAfterSeconds: number }
  | { type: 'waiting'; node: string; key: string; wait: WaitProgress };

export interface LogSink {
  emit(event: LogEvent): void;
}

export interface RunPorts {
  shell(node: string): NodeShell;
  kube: KubeGateway | null;
  clock: Clock;
  confirm: ConfirmPort;
  journal: JournalPort;
  log: LogSink;
  /** Called after each event is journalled, with the new state (for the UI). */
  onEvent?(event: RunEvent, state: RunState): void;
}
