// A cluster that was down past certificate expiry: servers re-issue expired leaves on start, so back up, then
// start servers etcd-first, then agents. Releases before v1.19 did not renew reliably on start (k3s#3047):
// there the leaves are rotated explicitly while the service is stopped.
import type { Recipe } from '../src/recipe-schema/types.js';

const oldRenewal = { versionBelow: { k3s: 'v1.19.0+k3s1', rke2: 'v1.19.0+rke2r1' } };

export const renewExpiredCerts: Recipe = {
  name: 'renew-expired-certs',
  title: 'Renew expired certificates',
  summary:
    'For a cluster down past expiry: back up, start servers etcd-first so startup renewal issues new leaves, then agents; verify no expired leaf remains.',
  support: 'full',
  neededWhen: 'expired-leaf',
  settleSeconds: 150,
  phases: [
    {
      id: 'stop',
      title: 'Make sure every node is stopped, etcd members included (agents first)',
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
      title: 'Renew and start etcd servers one at a time',
      nodes: 'etcd-servers',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        {
          id: 'rotate',
          kind: 'command',
          title: 'Rotate leaves (old release)',
          run: { op: 'certificate-rotate' },
          when: oldRenewal,
        },
        { id: 'reset', kind: 'command', title: 'Clear the start limit', run: { op: 'reset-failed' } },
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
      title: 'Every etcd server active with fresh leaves',
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
          checks: [
            { check: 'unit-active' },
            { check: 'etcd-quorum' },
            { check: 'node-ready' },
            { check: 'no-expired-leaf' },
          ],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'control-plane',
      title: 'Renew and start control-plane servers one at a time',
      nodes: 'non-etcd-servers',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        {
          id: 'rotate',
          kind: 'command',
          title: 'Rotate leaves (old release)',
          run: { op: 'certificate-rotate' },
          when: oldRenewal,
        },
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
          checks: [
            { check: 'unit-active' },
            { check: 'etcd-quorum' },
            { check: 'node-ready' },
            { check: 'no-expired-leaf' },
          ],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'agents',
      title: 'Start agents one at a time',
      nodes: 'agents',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the agent certificates aside', what: ['agent-certs'] },
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
          checks: [{ check: 'unit-active' }, { check: 'node-ready' }, { check: 'no-expired-leaf' }],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'verify',
      title: 'Verify: no expired leaf remains, CAs unchanged',
      nodes: 'all',
      confirm: 'none',
      steps: [
        {
          id: 'certs',
          kind: 'gate',
          title: 'No expired leaf, CAs unchanged',
          checks: [{ check: 'no-expired-leaf' }, { check: 'cas-unchanged' }],
        },
      ],
    },
  ],
  references: [
    'https://docs.k3s.io/cli/certificate',
    'https://github.com/k3s-io/k3s/issues/1621',
    'https://github.com/k3s-io/k3s/issues/3047',
  ],
};
