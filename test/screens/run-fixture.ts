// A small hand-made plan and run state for the run screen's tests: etcd-1 (safe, y/s/q) and cp-1 (destructive).
import type { Plan, PlannedBlock, PlannedStep } from '../../src/engine/plan-types.js';
import { initialState, type RunState } from '../../src/engine/reducer.js';
import type { ConfirmRequest } from '../../src/engine/ports.js';

function step(node: string, id: string, title: string, command: string | null, destructive = false): PlannedStep {
  return {
    key: `demo/${node}/servers.${id}`,
    blockKey: `demo/${node}/servers`,
    phase: 'servers',
    stepId: id,
    node,
    kind: command ? 'command' : 'gate',
    title,
    step: { id, kind: 'gate', title, checks: [] } as unknown as PlannedStep['step'],
    command,
    check: null,
    detail: command ? '' : 'gate: etcd quorum',
    disrupts: id === 'stop',
    destructive,
    tail: id === 'stop',
  };
}

function block(node: string, destructive: boolean): PlannedBlock {
  return {
    key: `demo/${node}/servers`,
    phase: 'servers',
    phaseTitle: 'Rotate each server',
    node,
    confirm: 'per-node',
    typeName: destructive,
    rolling: true,
    steps: [
      step(node, 'stop', 'Stop the service', 'systemctl stop rke2-server'),
      step(node, 'rotate', 'Rotate the leaf certificates', 'rke2 certificate rotate', destructive),
      step(node, 'gate', 'Healthy before the next server', null),
    ],
  };
}

export function demoPlan(): Plan {
  const node = (name: string, roles: ('etcd' | 'control-plane')[]) => ({
    name,
    address: '10.0.0.1',
    roles,
    distro: 'rke2' as const,
    dataDir: '/var/lib/rancher/rke2',
    unit: 'rke2-server',
    tier: roles.includes('etcd') ? ('etcd-only' as const) : ('control-plane-only' as const),
    server: true,
    etcd: roles.includes('etcd'),
    version: 'v1.32.5+rke2r1',
    init: false,
  });
  return {
    recipe: 'demo',
    title: 'Demo',
    support: 'full',
    runId: 'RUN-1',
    distro: 'rke2',
    version: 'v1.32.5+rke2r1',
    settleSeconds: 1,
    nodes: [node('etcd-1', ['etcd']), node('cp-1', ['control-plane'])],
    blocks: [block('etcd-1', false), block('cp-1', true)],
    warnings: [],
  };
}

export function demoState(): RunState {
  const plan = demoPlan();
  return initialState({
    type: 'run-created',
    at: '2026-01-01T00:00:00.000Z',
    runId: plan.runId,
    plan,
    operator: { user: 'op', host: 'ws' },
    cluster: { server: null },
  });
}

export function requestFor(plan: Plan, index: number, retry?: string): ConfirmRequest {
  const b = plan.blocks[index];
  return {
    runId: plan.runId,
    block: b,
    node: b.node,
    unit: 'rke2-server',
    steps: b.steps.map((s) => ({
      key: s.key,
      title: s.title,
      command: s.command,
      detail: s.detail,
      destructive: s.destructive,
      done: false,
    })),
    requireTypedName: b.typeName,
    resumed: false,
    retry,
  };
}
