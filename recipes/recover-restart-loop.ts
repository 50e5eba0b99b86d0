// The documented recovery for the split-role restart loop after a parallel or out-of-order rotation: stop every
// node (on RKE2 servers with rke2-killall.sh, since a unit stop leaves the etcd static pod running), start etcd
// servers one at a time until etcd is healthy, then control-plane servers, then agents.
import type { Recipe } from '../src/recipe-schema/types.js';

export const recoverRestartLoop: Recipe = {
  name: 'recover-restart-loop',
  title: 'Recover a restart loop',
  summary:
    'Stop every node (RKE2 servers: rke2-killall.sh, so etcd really stops), then start etcd servers one at a time until etcd is healthy, then control-plane servers, then agents.',
  support: 'full',
  neededWhen: 'restart-loop',
  settleSeconds: 150,
  phases: [
    {
      id: 'stop',
      title: 'Stop every node (agents first, etcd servers last) so that every etcd member is down',
      nodes: 'all',
      order: 'reverse',
      rolling: false,
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        // RKE2 servers: `systemctl stop` leaves the etcd and apiserver static pods running (KillMode=process); the
        // engine renders killall as rke2-killall.sh there (typed confirmation) and as `systemctl stop` elsewhere.
        {
          id: 'stop',
          kind: 'command',
          title: 'Stop the node with its etcd member',
          run: { op: 'killall' },
          timeoutSeconds: 300,
        },
        {
          id: 'etcd-down',
          kind: 'wait',
          title: 'etcd member stopped',
          until: { condition: 'etcd-member-stopped' },
          timeoutSeconds: 60,
          intervalSeconds: 1,
        },
      ],
    },
    {
      id: 'etcd',
      title: 'Start etcd servers one at a time',
      nodes: 'etcd-servers',
      steps: [
        { id: 'reset', kind: 'command', title: 'Clear the start limit', run: { op: 'reset-failed' } },
        // --no-block: the first member cannot report ready until a quorum of members runs.
        {
          id: 'start',
          kind: 'command',
          title: 'Start the service',
          run: { op: 'service', action: 'start', noBlock: true },
          tail: true,
          timeoutSeconds: 60,
        },
        {
          id: 'settle',
          kind: 'settle',
          title: 'Watch for restarts once a quorum can run',
          accept: ['activating', 'active'],
          untilQuorum: true,
        },
        {
          id: 'gate',
          kind: 'gate',
          title: 'etcd healthy once a quorum runs',
          checks: [{ check: 'etcd-quorum', when: 'majority-started' }],
          timeoutSeconds: 300,
        },
      ],
    },
    {
      id: 'etcd-ready',
      title: 'Every etcd server active',
      nodes: 'etcd-servers',
      confirm: 'none',
      steps: [
        {
          id: 'active',
          kind: 'wait',
          title: 'Service active',
          until: { condition: 'unit-state', states: ['active'] },
          timeoutSeconds: 600,
        },
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy',
          checks: [{ check: 'unit-active' }, { check: 'etcd-quorum' }, { check: 'node-ready' }],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'control-plane',
      title: 'Start control-plane servers one at a time',
      nodes: 'non-etcd-servers',
      steps: [
        { id: 'reset', kind: 'command', title: 'Clear the start limit', run: { op: 'reset-failed' } },
        {
          id: 'start',
          kind: 'command',
          title: 'Start the service',
          run: { op: 'service', action: 'start' },
          tail: true,
          timeoutSeconds: 600,
        },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts' },
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy before the next server',
          checks: [{ check: 'unit-active' }, { check: 'etcd-quorum' }, { check: 'node-ready' }],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'agents',
      title: 'Start agents one at a time',
      nodes: 'agents',
      steps: [
        { id: 'reset', kind: 'command', title: 'Clear the start limit', run: { op: 'reset-failed' } },
        {
          id: 'start',
          kind: 'command',
          title: 'Start the agent',
          run: { op: 'service', action: 'start' },
          tail: true,
          timeoutSeconds: 600,
        },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts', seconds: 30 },
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy before the next agent',
          checks: [{ check: 'unit-active' }, { check: 'node-ready' }],
          timeoutSeconds: 180,
        },
      ],
    },
  ],
  references: [
    'https://github.com/rancher/rke2/issues/7629',
    'https://github.com/k3s-io/k3s/issues/5225',
    'https://github.com/rancher/rancher/issues/38064',
  ],
};
