// Run events: the journal's vocabulary. The run state is a fold of these (reducer.ts); they are plain JSON.
import type { ClusterIdentity } from '../model/cluster-identity.js';
import type { ExecOutcome } from '../transports/types.js';
import type { Plan, PlannedWave } from './plan-types.js';
import type { ReencryptProgress } from '../model/reencrypt.js';

export type { ReencryptProgress } from '../model/reencrypt.js';

export interface Operator {
  user: string;
  host: string;
}

export interface ExecRecord {
  command: string;
  outcome: ExecOutcome;
  code: number | null;
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
}

export interface CertSnapshot {
  path: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  isCA: boolean;
}

export interface GateCheckResult {
  check: string;
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
  evidence?: string[];
  /** The node the failure is about when it is not the gated node (e.g. the server whose hash differs). */
  node?: string;
  /** Certificate checks: the earliest leaf notAfter read on the node (for the report's final expiry). */
  earliestLeafExpiry?: string;
}

export interface StepData {
  backups?: string[];
  certs?: CertSnapshot[];
  gate?: GateCheckResult[];
  restarts?: { before: number; after: number; state: string };
  /** etcd snapshot taken by this step (its file or name as the CLI printed it). */
  snapshot?: string;
  /** Secrets-encryption reading: stage, provider, active key name (never key material). */
  encryption?: { stage?: string; provider?: string; activeKey?: string; hashes?: Record<string, string> };
  /** Re-encryption progress (SecretsProgress events). */
  reencrypt?: ReencryptProgress;
  /**
   * rotate-ca: join-token CA hashes (`K10<hash>`, upstream's hashCA over server-ca.crt: the bundle's root DER, or
   * the file bytes for a single certificate) — `tokenHash` once the upload made it the cluster's, `tokenHashes`
   * as the generate step computed them (current and next) — the files a token step moved, and fingerprints.
   */
  ca?: {
    tokenHash?: string;
    tokenHashes?: { old: string; new: string };
    serverCa?: string;
    fingerprints?: Record<string, string>;
    tokenFiles?: string[];
  };
}

/** Why the run stopped: which check, on which node, the evidence, and what fixes it. */
export interface Failure {
  node: string;
  key: string;
  check: string;
  message: string;
  command: string | null;
  exitCode: number | null;
  evidence: string[];
  fix: string;
  /** A wave's verdict: every node that failed it (node is the first of them). */
  nodes?: string[];
}

export type StepResult =
  | { status: 'done'; summary: string; execs: ExecRecord[]; data?: StepData }
  | { status: 'failed'; failure: Failure; execs: ExecRecord[]; data?: StepData }
  | { status: 'skipped'; reason: string };

export interface LockHolder {
  holder: string;
  runId: string;
  renewedAt: string;
  ttlSeconds: number;
}

export type RunEvent =
  | { type: 'run-created'; at: string; runId: string; plan: Plan; operator: Operator; cluster: ClusterIdentity }
  /** An operator closed a run that will not be continued (`keyturn abandon`, or x on the dashboard). */
  | { type: 'run-abandoned'; at: string; operator: Operator; reason: string }
  | { type: 'session-started'; at: string; operator: Operator; resumed: boolean }
  | { type: 'lock'; at: string; action: 'acquired' | 'taken-over' | 'released'; where: string; previous?: LockHolder }
  | { type: 'block-confirmed'; at: string; block: string; typedName?: string }
  | { type: 'block-skipped'; at: string; block: string; reason: string }
  /** The operator confirmed an agent wave once: its blocks are confirmed together (plan.waves). */
  | { type: 'wave-confirmed'; at: string; wave: string; blocks: string[]; nodes: string[] }
  /** Every node of the wave ran to its end or its failure: the wave's verdict, naming the nodes that failed. */
  | { type: 'wave-finished'; at: string; wave: string; failed: string[] }
  /**
   * `resume --agent-wave`: the rest of the run groups its agents anew (same blocks and step keys); a wave already
   * started still goes on node by node. No `waves`: one at a time from here.
   */
  | { type: 'agent-waves-set'; at: string; agentWave?: number; waves?: PlannedWave[]; agentRestartNote?: string }
  | { type: 'step-started'; at: string; key: string; attempt: number; command: string | null }
  | { type: 'step-checked'; at: string; key: string; verdict: 'done' | 'not-done'; evidence: string }
  | { type: 'step-finished'; at: string; key: string; result: StepResult }
  | { type: 'run-quit'; at: string; block: string | null }
  | { type: 'session-interrupted'; at: string; reason: string }
  | { type: 'run-failed'; at: string; failure: Failure }
  /** After a failure: the operator confirmed starting a node this run had left stopped (stopped-nodes.ts). */
  | {
      type: 'node-started';
      at: string;
      node: string;
      command: string;
      operator: Operator;
      outcome: 'ok' | 'failed';
      detail: string;
    }
  | { type: 'run-succeeded'; at: string };
export type RunEventType = RunEvent['type'];

/** Keeps the end of command output: the evidence a failure carries. */
export function tail(text: string, lines = 20, chars = 4000): string {
  const t = text.trimEnd();
  const cut = t.length > chars ? t.slice(t.length - chars) : t;
  return cut.split('\n').slice(-lines).join('\n');
}
