// What a recipe may say. Recipes are plain serialisable data (no functions, no I/O): the engine's step
// handlers decide how each step kind is carried out (design.md habit 1).
import type { Distro } from '../model/cluster.js';

/** Which nodes a phase walks, always in the planner's safe order (etcd-only → etcd+cp → cp-only → agents). */
export const NODE_SELECTORS = [
  'all', // every node
  'servers', // etcd and/or control-plane
  'agents', // no server role
  'etcd-servers', // servers holding etcd (etcd-only and etcd+control-plane)
  'non-etcd-servers', // control-plane-only servers
  'one-control-plane', // the first control-plane server in order (cluster-wide commands that need the API)
  'one-server', // the first server in order (init node when known)
] as const;
export type NodeSelector = (typeof NODE_SELECTORS)[number];

export const SERVICE_ACTIONS = ['stop', 'start', 'restart'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export const ENCRYPTION_ACTIONS = ['prepare', 'rotate', 'reencrypt', 'rotate-keys'] as const;
export type EncryptionAction = (typeof ENCRYPTION_ACTIONS)[number];

/** A command on a node, by meaning; the engine renders the exact shell text per distro/unit/data dir. */
export type NodeOp =
  | { op: 'service'; action: ServiceAction; noBlock?: boolean }
  | { op: 'reset-failed' }
  | { op: 'certificate-rotate' }
  | { op: 'rotate-ca'; path: string; force?: boolean }
  | { op: 'secrets-encrypt'; action: EncryptionAction; force?: boolean }
  | { op: 'etcd-snapshot'; name: string };

/** Something the engine polls until it holds (or its timeout passes). */
export type Condition =
  | { condition: 'unit-state'; states: string[] }
  | { condition: 'node-ready' }
  | { condition: 'etcd-healthy' }
  | { condition: 'encryption-stage'; stage: string };

/** A check that must pass, or the run stops. */
export type GateCheck =
  | { check: 'unit-active' }
  | { check: 'node-ready' } // skipped (recorded) while the API is down
  | { check: 'etcd-quorum'; when?: 'always' | 'majority-started' }
  | { check: 'certs-fresh' } // every leaf re-issued since this run's backup of the node
  | { check: 'cas-unchanged' } // CA fingerprints equal to the backup's
  | { check: 'no-expired-leaf' }
  | { check: 'encryption-stage'; stage: string };
export type GateCheckName = GateCheck['check'];

export type BackupTarget = 'tls' | 'cred' | 'agent-certs';

/** Run a step only on some versions (e.g. where startup renewal is missing). Versions as kubelet strings. */
export interface VersionCondition {
  versionBelow?: Partial<Record<Distro, string>>;
  versionAtLeast?: Partial<Record<Distro, string>>;
}

interface StepBase {
  /** Stable within its phase: part of the step key recipe/node/phase.step. */
  id: string;
  title: string;
  when?: VersionCondition;
}

export type Step =
  | (StepBase & {
      kind: 'command';
      run: NodeOp;
      /** Takes the node's service down (stop/restart): the node counts as disrupted until a gate passes. */
      disrupts?: boolean;
      /** Can lose data (CA, etcd membership): the operator types the node name. */
      destructive?: boolean;
      /** Stream `journalctl -u <unit> -f` from this step until the node's block ends. */
      tail?: boolean;
      timeoutSeconds?: number;
    })
  | (StepBase & { kind: 'wait'; until: Condition; timeoutSeconds: number; intervalSeconds?: number })
  | (StepBase & { kind: 'gate'; checks: GateCheck[]; timeoutSeconds?: number })
  | (StepBase & {
      kind: 'settle';
      seconds?: number;
      accept?: string[];
      /** Starting etcd servers one by one: restarts are expected until a majority of them has been started. */
      untilQuorum?: boolean;
    })
  | (StepBase & { kind: 'backup'; what: BackupTarget[] })
  | (StepBase & { kind: 'pause'; message: string });
export type StepKind = Step['kind'];

export interface Phase {
  id: string;
  title: string;
  nodes: NodeSelector;
  /** reverse: agents first, etcd servers last (stopping a whole cluster). */
  order?: 'forward' | 'reverse';
  /**
   * rolling (default true): one server disrupted at a time, enforced. false: the phase takes nodes down on
   * purpose (recover-restart-loop stops everything first).
   */
  rolling?: boolean;
  /** per-node (default): the operator confirms each node. none: read-only checks, no question asked. */
  confirm?: 'per-node' | 'none';
  steps: Step[];
}

export interface Recipe {
  name: string;
  title: string;
  summary: string;
  /** full: `run` works. plan-only: `plan` works, `run` refuses (support comes in a later release). */
  support: 'full' | 'plan-only';
  /** Seconds to watch each node after it starts; the operator may override (--settle). */
  settleSeconds: number;
  /** Minimum versions the recipe needs; the planner refuses older clusters. */
  requires?: { versionAtLeast?: Partial<Record<Distro, string>>; note?: string };
  phases: Phase[];
  /** Upstream references for the procedure. */
  references: string[];
}
