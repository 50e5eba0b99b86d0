// One human line per step, for the plan preview, the confirmation and the report.
import { assertNever } from '../model/cluster.js';
import type { Condition, GateCheck, Step } from '../recipe-schema/types.js';
import { describeKillall } from './killall.js';
import type { PlannedNode } from './plan-types.js';

export function describeCondition(c: Condition, node: PlannedNode): string {
  switch (c.condition) {
    case 'unit-state':
      return `${node.unit} is ${c.states.join(' or ')}`;
    case 'node-ready':
      return `${node.name} Ready in the API`;
    case 'etcd-healthy':
      return 'every etcd member healthy';
    case 'etcd-member-stopped':
      return node.etcd
        ? `the etcd member on ${node.name} stopped (127.0.0.1:2381 refuses)`
        : `nothing (${node.name} runs no etcd member)`;
    case 'encryption-stage':
      return `encryption stage ${c.stage}`;
    case 'reencrypt-finished':
      return 're-encryption finished (reencrypt_finished), reporting SecretsProgress as N of M secrets';
    default:
      return assertNever(c);
  }
}

export function describeCheck(c: GateCheck, node: PlannedNode): string {
  switch (c.check) {
    case 'unit-active':
      return `${node.unit} active, not restarting`;
    case 'node-ready':
      return 'Ready in the API (when the API is up)';
    case 'etcd-quorum':
      return c.when === 'majority-started'
        ? 'etcd quorum (once a majority of members runs)'
        : 'etcd quorum: member list from a healthy etcd server, every member healthy on its own node';
    case 'certs-fresh':
      return 'every leaf certificate re-issued';
    case 'cas-unchanged':
      return 'CA certificates unchanged';
    case 'no-expired-leaf':
      return 'no expired leaf certificate';
    case 'encryption-stage':
      return `encryption stage ${c.stage}, its hash = sha256 of its own config (all control-plane hashes match after the last one)`;
    case 'encryption-hashes':
      return `every control-plane server at ${c.stages.join(' or ')}, all hashes match, each = sha256 of its config`;
    case 'encryption-provider':
      return c.flow === 'classic'
        ? 'provider is not secretbox (classic prepare/rotate/reencrypt refuse it)'
        : 'provider read (rotate-keys rotates every provider)';
    case 'etcd-members-healthy':
      return 'every running etcd member healthy by its local probe (127.0.0.1:2381), a majority running';
    case 'ca-consistent':
      return 'every node holds the same server-ca as the new one (sha256), every leaf verifies';
    case 'join-tokens':
      return 'every secure join token (K10<CA hash>::…) on every node can be moved to the new CA hash';
    default:
      return assertNever(c);
  }
}

export function describeStep(step: Step, node: PlannedNode, settleSeconds: number): string {
  switch (step.kind) {
    case 'command':
      return step.run.op === 'killall' ? describeKillall(node) : step.title;
    case 'backup':
      return step.title;
    case 'wait':
      return `wait up to ${step.timeoutSeconds}s until ${describeCondition(step.until, node)}`;
    case 'gate':
      return `gate: ${step.checks.map((c) => describeCheck(c, node)).join('; ')}`;
    case 'settle':
      return `watch ${node.unit} for ${settleSecondsOf(step, settleSeconds)}s (ActiveState, NRestarts) with its journal tailed`;
    case 'pause':
      return `pause: ${step.message}`;
    default:
      return assertNever(step);
  }
}

export function settleSecondsOf(step: Step & { kind: 'settle' }, planSettle: number): number {
  // A recipe's shorter window (agents: 30 s) stands unless the operator asked for an even shorter one.
  return step.seconds === undefined ? planSettle : Math.min(step.seconds, planSettle);
}
