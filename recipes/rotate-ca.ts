// Rotate the cluster CAs with `<prog> certificate rotate-ca` (plan only in this release). New CA material must
// chain to the old CA; servers pick it up on restart, then agents. Known bug k3s#11233/#11940: when every server
// joined with `server:` set, the new CA never reaches server/tls: compare CA fingerprints across nodes afterwards.
import type { Recipe } from '../src/recipe-schema/types.js';

export const rotateCa: Recipe = {
  name: 'rotate-ca',
  title: 'Rotate the cluster CAs',
  summary: 'Upload new CA material (chained to the old CA) once, then restart servers etcd-first and agents. Changes the join token CA hash.',
  support: 'plan-only',
  settleSeconds: 150,
  phases: [
    {
      id: 'prepare',
      title: 'Upload the new CA material (once)',
      nodes: 'one-server',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy tls and cred aside', what: ['tls', 'cred'] },
        { id: 'snapshot', kind: 'command', title: 'Take an etcd snapshot', run: { op: 'etcd-snapshot', name: 'pre-rotate-ca' }, timeoutSeconds: 600 },
        {
          id: 'place',
          kind: 'pause',
          title: 'Place the new CA material',
          message: 'Put the new CA files (generated with the upstream generate-custom-ca-certs.sh, chained to the old CA) in <data-dir>/server/keyturn-new-ca on this node, then continue.',
        },
        { id: 'rotate-ca', kind: 'command', title: 'Upload the new CAs to the datastore', run: { op: 'rotate-ca', path: '<data-dir>/server/keyturn-new-ca' }, destructive: true, timeoutSeconds: 120 },
      ],
    },
    {
      id: 'servers',
      title: 'Restart each server',
      nodes: 'servers',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        { id: 'restart', kind: 'command', title: 'Restart the service', run: { op: 'service', action: 'restart' }, disrupts: true, tail: true, timeoutSeconds: 600 },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts' },
        { id: 'gate', kind: 'gate', title: 'Healthy before the next server', checks: [{ check: 'unit-active' }, { check: 'etcd-quorum' }, { check: 'node-ready' }], timeoutSeconds: 180 },
      ],
    },
    {
      id: 'agents',
      title: 'Restart each agent',
      nodes: 'agents',
      steps: [
        { id: 'restart', kind: 'command', title: 'Restart the agent', run: { op: 'service', action: 'restart' }, disrupts: true, tail: true, timeoutSeconds: 600 },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts', seconds: 30 },
        { id: 'gate', kind: 'gate', title: 'Healthy before the next agent', checks: [{ check: 'unit-active' }, { check: 'node-ready' }], timeoutSeconds: 180 },
      ],
    },
  ],
  references: ['https://docs.k3s.io/cli/certificate#rotating-custom-ca-certificates', 'https://github.com/k3s-io/k3s/issues/11233', 'https://github.com/k3s-io/k3s/issues/11940'],
};
