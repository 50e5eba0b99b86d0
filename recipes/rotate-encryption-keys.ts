// Rotate the secrets-encryption key. The engine picks the flow per cluster (chooseFlow): `rotate-keys` when every
// control-plane server has a safe one (k3s v1.30.5+/v1.31.1+/v1.32+, RKE2 v1.30.2+/v1.31+), otherwise the classic
// prepare → restart every server → rotate → restart all → reencrypt → wait → restart all (secretbox refuses it).
// Gates: an intermediate server reached the stage with its own config's hash; "all hashes match" only after the
// last control-plane server (field-notes "Secrets encryption").
import type { GateCheck, Phase, Recipe, Step } from '../src/recipe-schema/types.js';

const ROTATION_STARTS_FROM = ['start', 'reencrypt_finished'];

function restartEachServer(id: string, title: string, stage: string, flow: 'classic' | 'rotate-keys'): Phase {
  const checks: GateCheck[] = [
    { check: 'unit-active' },
    { check: 'etcd-quorum' },
    { check: 'node-ready' },
    { check: 'encryption-stage', stage },
  ];
  return {
    id,
    title,
    nodes: 'servers',
    flow,
    steps: [
      {
        id: 'restart',
        kind: 'command',
        title: 'Restart the service',
        run: { op: 'service', action: 'restart' },
        disrupts: true,
        tail: true,
        timeoutSeconds: 600,
      },
      { id: 'settle', kind: 'settle', title: 'Watch for restarts' },
      {
        id: 'gate',
        kind: 'gate',
        title: `At ${stage}, hash matches its config (all hashes after the last control-plane server)`,
        checks,
        timeoutSeconds: 180,
      },
    ],
  };
}

function stageOnOneServer(id: string, title: string, action: 'prepare' | 'rotate', stage: string): Phase {
  return {
    id,
    title,
    nodes: 'one-control-plane',
    flow: 'classic',
    steps: [
      {
        id: action,
        kind: 'command',
        title: `secrets-encrypt ${action}`,
        run: { op: 'secrets-encrypt', action },
        timeoutSeconds: 120,
      },
      {
        id: 'gate',
        kind: 'gate',
        title: `This server at ${stage}`,
        checks: [{ check: 'encryption-stage', stage }],
        timeoutSeconds: 60,
      },
    ],
  };
}

const waitReencrypt: Step = {
  id: 'reencrypt-wait',
  kind: 'wait',
  title: 'Re-encryption finished (N of M secrets)',
  until: { condition: 'reencrypt-finished', stallSeconds: 120 },
  timeoutSeconds: 6 * 3600,
  intervalSeconds: 10,
};

export const rotateEncryptionKeys: Recipe = {
  name: 'rotate-encryption-keys',
  title: 'Rotate secrets-encryption keys',
  summary:
    'Check every hash, back up cred, snapshot etcd; rotate-keys where every control-plane server supports it, else prepare → rotate → reencrypt with a restart of every server after each stage; hash gates per server.',
  support: 'full',
  settleSeconds: 150,
  requires: {
    everyServer:
      'every control-plane server must reach each stage with the same encryption config, or secrets become unreadable on the one left behind',
  },
  chooseFlow: 'secrets-encryption',
  phases: [
    {
      id: 'preflight',
      title: 'Every control-plane hash matches; the provider supports the flow',
      nodes: 'one-control-plane',
      confirm: 'none',
      steps: [
        {
          id: 'provider',
          kind: 'gate',
          title: 'Provider supports the flow',
          checks: [{ check: 'encryption-provider', flow: 'classic' }],
          timeoutSeconds: 30,
        },
        {
          id: 'hashes',
          kind: 'gate',
          title: 'All hashes match, each equal to its own config',
          checks: [{ check: 'encryption-hashes', stages: ROTATION_STARTS_FROM }],
          timeoutSeconds: 10,
        },
      ],
      flow: 'classic',
    },
    {
      id: 'preflight-rk',
      title: 'Every control-plane hash matches',
      nodes: 'one-control-plane',
      confirm: 'none',
      flow: 'rotate-keys',
      steps: [
        {
          id: 'provider',
          kind: 'gate',
          title: 'Provider read',
          checks: [{ check: 'encryption-provider', flow: 'rotate-keys' }],
          timeoutSeconds: 30,
        },
        {
          id: 'hashes',
          kind: 'gate',
          title: 'All hashes match, each equal to its own config',
          checks: [{ check: 'encryption-hashes', stages: ROTATION_STARTS_FROM }],
          timeoutSeconds: 10,
        },
      ],
    },
    {
      id: 'backup',
      title: 'Back up server/cred on each server',
      nodes: 'servers',
      steps: [{ id: 'backup', kind: 'backup', title: 'Copy cred aside', what: ['cred'] }],
    },
    {
      id: 'snapshot',
      title: 'Take an etcd snapshot (once)',
      nodes: 'one-server',
      steps: [
        {
          id: 'snapshot',
          kind: 'command',
          title: 'etcd-snapshot save --name pre-rotate-encryption-keys',
          run: { op: 'etcd-snapshot', name: 'pre-rotate-encryption-keys' },
          timeoutSeconds: 600,
        },
      ],
    },
    // rotate-keys: one request re-encrypts everything, then every server restarts onto the new config.
    {
      id: 'rotate-keys',
      title: 'Rotate keys and re-encrypt (once)',
      nodes: 'one-control-plane',
      flow: 'rotate-keys',
      steps: [
        {
          id: 'rotate-keys',
          kind: 'command',
          title: 'secrets-encrypt rotate-keys',
          run: { op: 'secrets-encrypt', action: 'rotate-keys' },
          timeoutSeconds: 300,
        },
        waitReencrypt,
      ],
    },
    restartEachServer('restart', 'Restart each server onto the new key', 'reencrypt_finished', 'rotate-keys'),
    // classic
    stageOnOneServer('prepare', 'Prepare: add the new key (once)', 'prepare', 'prepare'),
    restartEachServer('prepare-restart', 'Restart each server at prepare', 'prepare', 'classic'),
    stageOnOneServer('rotate', 'Rotate: make the new key active (once)', 'rotate', 'rotate'),
    restartEachServer('rotate-restart', 'Restart each server at rotate', 'rotate', 'classic'),
    {
      id: 'reencrypt',
      title: 'Re-encrypt every secret (once)',
      nodes: 'one-control-plane',
      flow: 'classic',
      steps: [
        {
          id: 'reencrypt',
          kind: 'command',
          title: 'secrets-encrypt reencrypt',
          run: { op: 'secrets-encrypt', action: 'reencrypt' },
          timeoutSeconds: 120,
        },
        waitReencrypt,
      ],
    },
    restartEachServer('final-restart', 'Restart each server at reencrypt_finished', 'reencrypt_finished', 'classic'),
    {
      id: 'verify',
      title: 'Verify: every hash matches at reencrypt_finished',
      nodes: 'one-control-plane',
      confirm: 'none',
      steps: [
        {
          id: 'hashes',
          kind: 'gate',
          title: 'All hashes match at reencrypt_finished',
          checks: [{ check: 'encryption-hashes', stages: ['reencrypt_finished'] }],
          timeoutSeconds: 60,
        },
      ],
    },
  ],
  references: [
    'https://docs.k3s.io/cli/secrets-encrypt',
    'https://docs.rke2.io/security/secrets_encryption',
    'https://github.com/k3s-io/k3s/issues/11384',
    'https://github.com/rancher/rke2/issues/8236',
  ],
};
