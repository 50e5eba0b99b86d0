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

/** Recipes with variants name the engine's chooser; phases name the variant (flow) they belong to. */
export const FLOW_CHOOSERS = { 'secrets-encryption': ['rotate-keys', 'classic'] } as const;
export type FlowChooser = keyof typeof FLOW_CHOOSERS;
export type EncryptionFlow = (typeof FLOW_CHOOSERS)['secrets-encryption'][number];

/** A command on a node, by meaning; the engine renders the exact shell text per distro/unit/data dir. */
export type NodeOp =
  | { op: 'service'; action: ServiceAction; noBlock?: boolean }
  | { op: 'reset-failed' }
  | { op: 'certificate-rotate' }
  /** Stop the node so its etcd member and apiserver really stop: RKE2 servers run `rke2-killall.sh` (their static
   *  pods outlive `systemctl stop`; every container on the node is killed), elsewhere `systemctl stop <unit>`.
   *  Destructive on RKE2 servers (the engine asks for the node name there). */
  | { op: 'killall' }
  | { op: 'rotate-ca'; path: string; force?: boolean }
  | { op: 'secrets-encrypt'; action: EncryptionAction; force?: boolean }
  | { op: 'etcd-snapshot'; name: string }
  /** Generates a new CA set chained to the current CAs on the node (openssl; keys never leave it) into path. */
  | { op: 'generate-ca'; path: string }
  /** Moves this node's secure join tokens (`K10<hash>::…` in config.yaml(.d), token files, the unit's env
   *  files) from the old CA hash to the new one the run's generate-ca step recorded; on the node, with backups. */
  | { op: 'update-token' };

/** Something the engine polls until it holds (or its timeout passes). */
export type Condition =
  | { condition: 'unit-state'; states: string[] }
  | { condition: 'node-ready' }
  | { condition: 'etcd-healthy' }
  /** This node's own etcd member is down (its 127.0.0.1:2381 listener refuses); holds at once on nodes without etcd. */
  | { condition: 'etcd-member-stopped' }
  | { condition: 'encryption-stage'; stage: string }
  /** Secrets re-encryption on this node ended (stage reencrypt_finished), reporting SecretsProgress as it goes. */
  | { condition: 'reencrypt-finished'; stallSeconds?: number };

/** A check that must pass, or the run stops. */
export type GateCheck =
  | { check: 'unit-active' }
  | { check: 'node-ready' } // skipped (recorded) while the API is down
  | { check: 'etcd-quorum'; when?: 'always' | 'majority-started' }
  | { check: 'certs-fresh' } // every leaf re-issued since this run's backup of the node
  | { check: 'cas-unchanged' } // CA fingerprints equal to the backup's
  | { check: 'no-expired-leaf' }
  /** This server reached the stage and its annotation hash = sha256 of its own config; after the phase's last
   *  control-plane server, every control-plane hash must match too (the intermediate/last rule). */
  | { check: 'encryption-stage'; stage: string }
  /** Before a rotation: every control-plane server at one of `stages`, every hash equal and equal to its config. */
  | { check: 'encryption-hashes'; stages: string[] }
  /** The provider the cluster encrypts with supports the flow (secretbox only rotates with rotate-keys). */
  | { check: 'encryption-provider'; flow: EncryptionFlow }
  /** Every node holds the same server-ca as this node (after rotate-ca): catches k3s#11233. */
  | { check: 'ca-consistent' }
  /** Every running etcd member healthy by its own plain-HTTP probe (127.0.0.1:2381), a majority running: usable
   *  while members hold different CA chains (rotate-ca), where TLS checks from a peer cannot verify each other. */
  | { check: 'etcd-members-healthy' }
  /** Before rotate-ca changes anything: which nodes hold a secure join token, and that keyturn can move every one
   *  of them to the new CA hash (a token in the unit's ExecStart or with an unknown hash stops the run). */
  | { check: 'join-tokens' };

export const NEEDED_WHEN = ['expired-leaf', 'restart-loop'] as const;
export type NeededWhen = (typeof NEEDED_WHEN)[number];

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
  /** Only in this flow (the recipe's chooseFlow picks one per cluster). */
  flow?: string;
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
  /**
   * Minimum versions the recipe needs (the planner refuses older clusters); everyServer: the recipe changes what
   * every server must agree on (keys, CAs), so an unreachable server refuses the plan — the text says why.
   */
  requires?: { versionAtLeast?: Partial<Record<Distro, string>>; note?: string; everyServer?: string };
  /**
   * A recipe that takes the whole cluster down is for one situation: when the scan does not show it, the plan warns
   * first and the first node must be confirmed by typing its name.
   */
  neededWhen?: NeededWhen;
  /** The engine picks one flow per cluster (versions, provider) and plans only phases of that flow. */
  chooseFlow?: FlowChooser;
  phases: Phase[];
  /** Upstream references for the procedure. */
  references: string[];
}
