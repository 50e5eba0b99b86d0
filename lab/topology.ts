// Which nodes a topology has. Node index i (1-based) gets the address `${net}.${i}`.
import { assertNever, type Distro, type Role } from '../src/model/cluster.js';
import type { LabNodeSpec, LabOptions, Topology } from './contract.js';

interface NodeShape {
  name: string;
  roles: Role[];
}

const ALL_SERVER_ROLES: Role[] = ['etcd', 'control-plane'];
const AGENT_ROLES: Role[] = ['worker'];

function series(prefix: string, count: number, roles: Role[]): NodeShape[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i + 1}`, roles: [...roles] }));
}

function shapesOf(topology: Topology): NodeShape[] {
  switch (topology.kind) {
    case 'split':
      // The shape of most rotation outages: etcd-only servers, control-plane-only servers, agents.
      return [
        ...series('etcd', 3, ['etcd']),
        ...series('cp', 2, ['control-plane']),
        ...series('agent', 2, AGENT_ROLES),
      ];
    case 'ha':
      return [...series('server', 3, ALL_SERVER_ROLES), ...series('agent', 2, AGENT_ROLES)];
    case 'single':
      return [...series('server', 1, ALL_SERVER_ROLES), ...series('agent', 1, AGENT_ROLES)];
    case 'large':
      return [...series('server', 3, ALL_SERVER_ROLES), ...series('agent', topology.nodes - 3, AGENT_ROLES)];
    default:
      return assertNever(topology);
  }
}

export function planNodes(options: Pick<LabOptions, 'topology' | 'net' | 'distro'>): LabNodeSpec[] {
  return shapesOf(options.topology).map((shape, i) => nodeSpec(shape, i + 1, options.net, options.distro));
}

function nodeSpec(shape: NodeShape, index: number, net: string, distro: Distro): LabNodeSpec {
  return { name: shape.name, index, address: `${net}.${index}`, roles: shape.roles, distro };
}
