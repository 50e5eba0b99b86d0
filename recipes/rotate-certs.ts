// Rotate every leaf certificate under the same CAs: per node stop → `<prog> certificate rotate` → start, one
// node at a time, etcd servers first, then control-plane servers, then agents. Plain data (design.md habit 1).
import type { Recipe } from '../src/recipe-schema/types.js';

export const rotateCerts: Recipe = {
  name: 'rotate-certs',
  title: 'Rotate certificates',
  summary:
    'Re-issue every leaf certificate under the existing CAs, one node at a time: etcd servers, control-plane servers, then agents.',
  support: 'full',
  settleSeconds: 150,
  phases: [
    {
      id: 'servers',
      title: 'Rotate each server',
      nodes: 'servers',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        {
          id: 'stop',
          kind: 'command',
          title: 'Stop the service',
          run: { op: 'service', action: 'stop' },
          disrupts: true,
          tail: true,
          timeoutSeconds: 300,
        },
        {
          id: 'rotate',
          kind: 'command',
          title: 'Rotate the leaf certificates',
          run: { op: 'certificate-rotate' },
          timeoutSeconds: 120,
        },
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
            { check: 'node-ready' },
            { check: 'etcd-quorum' },
            { check: 'certs-fresh' },
            { check: 'cas-unchanged' },
          ],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'agents',
      title: 'Rotate each agent',
      nodes: 'agents',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the agent certificates aside', what: ['agent-certs'] },
        // An agent fetches new certificates from a server every time it starts (docs.rke2.io/security/certificates),
        // so stop + start renews it. `certificate rotate` on an agent also backs the old ones up ("Agent detected,
        // rotating agent certificates"), but before k3s#9785's fix (April 2024: v1.29.4, v1.28.9, v1.27.13; every
        // 1.30) it fails on agents ("open <data-dir>/server/token") with the agent already stopped. One cut for
        // both distros: below v1.29.4 the agent is renewed by the restart alone (also on 1.28.9+/1.27.13+, where
        // rotate would work: the restart is upstream's documented way either way).
        {
          id: 'stop',
          kind: 'command',
          title: 'Stop the agent',
          run: { op: 'service', action: 'stop' },
          disrupts: true,
          tail: true,
          timeoutSeconds: 300,
        },
        {
          id: 'rotate',
          kind: 'command',
          title: 'Rotate the agent certificates',
          run: { op: 'certificate-rotate' },
          timeoutSeconds: 120,
          when: { versionAtLeast: { k3s: 'v1.29.4+k3s1', rke2: 'v1.29.4+rke2r1' } },
        },
        {
          id: 'start',
          kind: 'command',
          title: 'Start the agent (it fetches new certificates from a server)',
          run: { op: 'service', action: 'start' },
          tail: true,
          timeoutSeconds: 600,
        },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts', seconds: 30 },
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy before the next agent',
          checks: [
            { check: 'unit-active' },
            { check: 'node-ready' },
            { check: 'certs-fresh' },
            { check: 'cas-unchanged' },
          ],
          timeoutSeconds: 180,
        },
      ],
    },
    {
      id: 'verify',
      title: 'Verify: every leaf renewed, CAs unchanged',
      nodes: 'all',
      confirm: 'none',
      steps: [
        {
          id: 'certs',
          kind: 'gate',
          title: 'Leaves renewed, CAs unchanged',
          checks: [{ check: 'certs-fresh' }, { check: 'cas-unchanged' }, { check: 'no-expired-leaf' }],
        },
      ],
    },
  ],
  references: [
    'https://docs.k3s.io/cli/certificate',
    'https://docs.rke2.io/security/certificates',
    'https://github.com/rancher/rke2/issues/7629',
    'https://github.com/k3s-io/k3s/issues/9785',
    'https://github.com/rancher/rke2/issues/2623',
  ],
};
