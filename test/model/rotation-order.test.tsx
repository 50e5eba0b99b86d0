// The dashboard lists nodes in the order the run takes them, on every topology: the lab's presets and hand-made
// shapes (etcd-only beside etcd+control-plane servers, agents only, an init node that is not first by name). Both
// come from src/model/rotation-order.ts; before that home the dashboard grouped every etcd member by name alone.
import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { findRecipe } from '../../recipes/index.js';
import { NodeTable } from '../../components/NodeTable.js';
import { planRun } from '../../src/engine/plan.js';
import { planNodes as labNodes } from '../../lab/topology.js';
import type { Topology } from '../../lab/contract.js';
import type { Role } from '../../src/model/cluster.js';
import { rotationOrder } from '../../src/model/rotation-order.js';
import type { NodeStatus, StatusReport } from '../../src/model/status.js';
import { node } from '../engine/support/clusters.js';

const E: Role[] = ['etcd'];
const C: Role[] = ['control-plane'];
const EC: Role[] = ['etcd', 'control-plane'];
const W: Role[] = ['worker'];

function report(specs: readonly { name: string; roles: Role[]; init?: boolean }[]): StatusReport {
  // Reversed, so neither side can pass by keeping the order it was given.
  const nodes = [...specs].reverse().map((s, i) => node(s.name, s.roles, 'rke2', i + 1, s.init ? { init: true } : {}));
  return {
    cluster: { distro: 'rke2', version: nodes[0].version, apiReachable: true, source: 'api' },
    nodes,
    checks: [],
  };
}

function planOrder(r: StatusReport): string[] {
  const result = planRun(findRecipe('rotate-certs')!, r, {});
  if (!result.ok) throw new Error(result.refusal.reason);
  return result.plan.nodes.map((n) => n.name);
}

/** The node names in the order the dashboard's table draws its rows. */
function dashboardOrder(nodes: readonly NodeStatus[]): string[] {
  const frame = render(<NodeTable nodes={nodes} />).lastFrame() ?? '';
  const names = new Set(nodes.map((n) => n.name));
  return frame.split('\n').flatMap((line) =>
    line
      .trim()
      .split(/\s+/)
      .filter((word) => names.has(word))
      .slice(0, 1),
  );
}

const LAB_TOPOLOGIES: Topology[] = [
  { kind: 'split' },
  { kind: 'ha' },
  { kind: 'single' },
  { kind: 'large', nodes: 12 },
];

const HAND_MADE: Record<string, { name: string; roles: Role[]; init?: boolean }[]> = {
  // Names sort the etcd+control-plane servers first: the order must not.
  'etcd-only beside etcd+control-plane and control-plane-only': [
    { name: 'a-mixed', roles: EC },
    { name: 'b-etcd', roles: E },
    { name: 'c-cp', roles: C },
    { name: 'd-mixed', roles: EC },
    { name: 'e-etcd', roles: E },
    { name: 'f-agent', roles: W },
  ],
  'an init node that is not first by name': [
    { name: 'server-1', roles: EC },
    { name: 'server-2', roles: EC },
    { name: 'server-3', roles: EC, init: true },
    { name: 'agent-1', roles: W },
  ],
};

describe("rotation order: the dashboard lists nodes in the plan's order", () => {
  for (const topology of LAB_TOPOLOGIES) {
    it(`lab topology ${topology.kind}`, () => {
      const r = report(labNodes({ topology, net: '127.0.10', distro: 'rke2' }));
      expect(dashboardOrder(r.nodes)).toEqual(planOrder(r));
      expect(dashboardOrder(r.nodes)).toHaveLength(r.nodes.length);
    });
  }

  for (const [name, specs] of Object.entries(HAND_MADE)) {
    it(name, () => {
      const r = report(specs);
      expect(dashboardOrder(r.nodes)).toEqual(planOrder(r));
      expect(dashboardOrder(r.nodes)).toHaveLength(r.nodes.length);
    });
  }

  it('agents only (the servers are not in the report): natural name order; no recipe plans without an etcd server', () => {
    const r = report([
      { name: 'worker-10', roles: W },
      { name: 'worker-2', roles: W },
      { name: 'worker-1', roles: W },
    ]);
    expect(dashboardOrder(r.nodes)).toEqual(['worker-1', 'worker-2', 'worker-10']);
    expect(rotationOrder(r.nodes).map((n) => n.name)).toEqual(['worker-1', 'worker-2', 'worker-10']);
    expect(planRun(findRecipe('rotate-certs')!, r, {}).ok).toBe(false);
  });

  it('puts etcd-only servers before etcd+control-plane ones, the init node first among equals, names in natural order', () => {
    expect(planOrder(report(HAND_MADE['etcd-only beside etcd+control-plane and control-plane-only']))).toEqual([
      'b-etcd',
      'e-etcd',
      'a-mixed',
      'd-mixed',
      'c-cp',
      'f-agent',
    ]);
    expect(planOrder(report(HAND_MADE['an init node that is not first by name']))).toEqual([
      'server-3',
      'server-1',
      'server-2',
      'agent-1',
    ]);
  });
});
