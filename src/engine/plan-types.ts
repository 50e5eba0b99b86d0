// The plan: a recipe laid out over the discovered cluster, node by node, with the exact commands.
// Plain data: it is journalled at the start of a run, so resume and report read exactly what was confirmed.
import type { Distro, Role } from '../model/cluster.js';
import type { Tier } from '../model/rotation-order.js';
import type { Step, StepKind } from '../recipe-schema/types.js';

export type { Tier } from '../model/rotation-order.js';

export interface PlannedNode {
  name: string;
  address: string;
  roles: Role[];
  distro: Distro;
  dataDir: string;
  unit: string;
  tier: Tier;
  server: boolean;
  etcd: boolean;
  version: string;
  init: boolean;
}

export interface PlannedStep {
  /** Stable: recipe/node/phase.step */
  key: string;
  blockKey: string;
  phase: string;
  stepId: string;
  node: string;
  kind: StepKind;
  title: string;
  step: Step;
  /** The exact shell text run on the node (command and backup steps), null for engine-side steps. */
  command: string | null;
  /** What runs first when this step was interrupted mid-way (resume), null when re-running is the check. */
  check: string | null;
  /** One human line: what a wait/gate/settle/pause does. */
  detail: string;
  disrupts: boolean;
  destructive: boolean;
  tail: boolean;
}

export interface PlannedBlock {
  /** Stable: recipe/node/phase */
  key: string;
  phase: string;
  phaseTitle: string;
  node: string;
  confirm: 'per-node' | 'none';
  /** A destructive step is in the block: the operator types the node name. */
  typeName: boolean;
  rolling: boolean;
  /** The operator accepted a refusal: 'run' counts only with this phrase typed (answer.typedPhrase). */
  typedPhrase?: string;
  steps: PlannedStep[];
}

/**
 * Agents changed together (`--agent-wave`): one confirmation, their steps at once, one verdict naming every node
 * that failed. Only agents' blocks of an agents phase are ever in a wave; servers stay one at a time.
 */
export interface PlannedWave {
  /** Stable: recipe/phase/wave-N (N from 1, in rotation order). */
  key: string;
  phase: string;
  /** 1-based place of this wave among its phase's waves, and how many the phase has. */
  index: number;
  of: number;
  nodes: string[];
  blocks: string[];
}

export interface Plan {
  recipe: string;
  title: string;
  support: 'full' | 'plan-only';
  runId: string;
  distro: Distro;
  version: string;
  settleSeconds: number;
  /** A rehearsal's time scale (the demo lab's --speed): waits were planned and are sampled that much faster. */
  timeScale?: number;
  nodes: PlannedNode[];
  blocks: PlannedBlock[];
  warnings: string[];
  /** The variant the engine chose for a recipe with chooseFlow (e.g. rotate-keys or classic). */
  flow?: string;
  /** Agents per wave (`--agent-wave`), present only when above 1: without it the plan is one node at a time. */
  agentWave?: number;
  waves?: PlannedWave[];
  /** Why an agent's restart leaves its workloads running (said in the plan when agents go in waves). */
  agentRestartNote?: string;
}

/** `--agent-wave N` or `P%` (P% of the plan's agents, rounded up, at least 1). */
export type AgentWaveSize = { count: number } | { percent: number };

export interface PlanRefusal {
  reason: string;
  fix: string;
  /** A known-risk refusal the operator may override by typing this phrase (PlanOptions.acceptRisk). */
  overridePhrase?: string;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; refusal: PlanRefusal };

export interface PlanOptions {
  /** Seconds each server is watched after it starts (default: the recipe's, 150); also caps shorter windows. */
  settleSeconds?: number;
  /** How long a gate or a wait may take before the run stops (default: each step's own, 3-10 minutes). */
  gateTimeoutSeconds?: number;
  /** Only `keyturn demo`: the lab's --speed; settle, gate and wait times are divided by it (time-scale.ts). */
  timeScale?: number;
  /** Names backups; `keyturn plan` shows the placeholder <run-id>. */
  runId?: string;
  /** Per-node facts the API cannot tell: distro and data dir from the inventory or the node's config.yaml. */
  nodeFacts?: Record<string, { distro?: Distro; dataDir?: string }>;
  /** The phrase of a refusal the operator typed to accept its risk (PlanRefusal.overridePhrase). */
  acceptRisk?: string;
  /** The secrets-encryption provider when known before the run (aescbc, aesgcm, secretbox); checked again at run time. */
  encryptionProvider?: string;
  /** Agents in waves of at most this many (`--agent-wave`; default one at a time). */
  agentWave?: AgentWaveSize;
}

export function findNode(plan: Plan, name: string): PlannedNode {
  const n = plan.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`bug: node ${name} is not in the plan`);
  return n;
}
