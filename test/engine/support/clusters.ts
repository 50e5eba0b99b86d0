// Discovered clusters (StatusReport) for the planner and driver tests.
import type { Distro, Role } from '../../../src/model/cluster.js';
import { serviceUnit } from '../../../src/model/cluster.js';
import type { NodeStatus, StatusReport } from '../../../src/model/status.js';

export function node(
  name: string,
  roles: Role[],
  distro: Distro,
  i: number,
  extra: Partial<NodeStatus> = {},
): NodeStatus {
  return {
    name,
    address: `127.0.10.${i}`,
    roles,
    version: distro === 'rke2' ? 'v1.32.5+rke2r1' : 'v1.32.5+k3s1',
    ready: true,
    reachable: true,
    service: { unit: serviceUnit(distro, roles), state: 'active', restarts: 0 },
    certificates: [],
    caFingerprints: {},
    encryption: null,
    etcd: null,
    diagnoses: [],
    ...extra,
  };
}

export type Topology = 'split' | 'ha' | 'single' | { large: number };

const E: Role[] = ['etcd'];
const C: Role[] = ['control-plane'];
const EC: Role[] = ['etcd', 'control-plane'];
const W: Role[] = ['worker'];

export function cluster(topology: Topology, distro: Distro = 'rke2'): StatusReport {
  let specs: [string, Role[]][];
  if (topology === 'split') {
    // Deliberately out of order: the planner must sort.
    specs = [
      ['agent-1', W],
      ['cp-2', C],
      ['etcd-2', E],
      ['cp-1', C],
      ['etcd-1', E],
      ['agent-2', W],
      ['etcd-3', E],
    ];
  } else if (topology === 'ha') {
    specs = [
      ['agent-1', W],
      ['server-3', EC],
      ['server-1', EC],
      ['server-2', EC],
    ];
  } else if (topology === 'single') {
    specs = [['server-1', EC]];
  } else {
    specs = [
      ['etcd-1', E],
      ['etcd-2', E],
      ['etcd-3', E],
      ['server-1', EC],
      ['cp-1', C],
      ['cp-2', C],
    ];
    for (let i = topology.large; i >= 1; i--) specs.push([`agent-${i}`, W]);
  }
  const nodes = specs.map(([n, r], i) => node(n, r, distro, i + 1));
  return { cluster: { distro, version: nodes[0].version, apiReachable: true, source: 'api' }, nodes, checks: [] };
}
