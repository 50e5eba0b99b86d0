// Rotate the secrets-encryption key with the one-step `secrets-encrypt rotate-keys` flow (plan only in this
// release), then restart every server, etcd servers first. Hash gates per server; all hashes after the last.
import type { Recipe } from '../src/recipe-schema/types.js';

export const rotateEncryptionKeys: Recipe = {
  name: 'rotate-encryption-keys',
  title: 'Rotate secrets-encryption keys',
  summary: 'Back up cred and snapshot etcd, run `secrets-encrypt rotate-keys` once, wait for reencrypt_finished, then restart each server.',
  support: 'plan-only',
  settleSeconds: 150,
  requires: {
    // rotate-keys is safe from v1.30.5+k3s1 / v1.31.1+k3s1 and RKE2 newer than v1.30.1+rke2r1 (field notes).
    versionAtLeast: { k3s: 'v1.30.5+k3s1', rke2: 'v1.30.1+rke2r2' },
    note: 'v1.31.0+k3s1 lacks it; every control-plane kubelet must be ≥ 1.28',
  },
  phases: [
    {
      id: 'backup',
      title: 'Back up cred on each server',
      nodes: 'servers',
      steps: [{ id: 'backup', kind: 'backup', title: 'Copy cred and tls aside', what: ['cred', 'tls'] }],
    },
    {
      id: 'rotate',
      title: 'Rotate the key (once)',
      nodes: 'one-control-plane',
      steps: [
        { id: 'snapshot', kind: 'command', title: 'Take an etcd snapshot', run: { op: 'etcd-snapshot', name: 'pre-rotate-encryption-keys' }, timeoutSeconds: 600 },
        { id: 'rotate-keys', kind: 'command', title: 'Rotate keys and re-encrypt', run: { op: 'secrets-encrypt', action: 'rotate-keys' }, timeoutSeconds: 300 },
        { id: 'finished', kind: 'wait', title: 'Re-encryption finished', until: { condition: 'encryption-stage', stage: 'reencrypt_finished' }, timeoutSeconds: 3600, intervalSeconds: 10 },
      ],
    },
    {
      id: 'servers',
      title: 'Restart each server',
      nodes: 'servers',
      steps: [
        { id: 'restart', kind: 'command', title: 'Restart the service', run: { op: 'service', action: 'restart' }, disrupts: true, tail: true, timeoutSeconds: 600 },
        { id: 'settle', kind: 'settle', title: 'Watch for restarts' },
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy before the next server',
          checks: [{ check: 'unit-active' }, { check: 'etcd-quorum' }, { check: 'node-ready' }, { check: 'encryption-stage', stage: 'reencrypt_finished' }],
          timeoutSeconds: 180,
        },
      ],
    },
  ],
  references: ['https://docs.k3s.io/cli/secrets-encrypt', 'https://github.com/k3s-io/k3s/issues/11384'],
};
