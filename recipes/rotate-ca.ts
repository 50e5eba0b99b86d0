// Rotate the cluster CAs: generate a new CA set ON a server with openssl (new roots cross-signed by the current
// ones, like upstream's rotate-default-ca-certs.sh; keys never leave the node), upload it with
// `<prog> certificate rotate-ca`, then restart servers etcd-first and agents, each gated on holding the new
// server-ca. Changes the join token's CA hash (upstream hashCA: the DER of the bundle's root): before anything
// changes, every node's secure tokens are listed (a token keyturn cannot move stops the run), and each node's
// tokens move to the new hash just before it restarts — docs: nodes joined with a secure token must be
// reconfigured before they restart, or they fail "token CA hash does not match the Cluster CA certificate hash".
// Known bug k3s#11233/#11940: servers that all joined a peer keep the old CA — the per-node CA gate stops the
// run naming the node.
import type { Recipe } from '../src/recipe-schema/types.js';

const BUNDLE = '<data-dir>/server/rotate-ca';

export const rotateCa: Recipe = {
  name: 'rotate-ca',
  title: 'Rotate the cluster CAs',
  summary:
    'Generate a cross-signed CA set on one server (openssl, keys stay on it), upload it once, then restart servers etcd-first and agents; every node must hold the new server-ca. Changes the join token CA hash.',
  support: 'full',
  settleSeconds: 150,
  requires: { everyServer: 'a server left out keeps the old CA and stops trusting the others once they restart' },
  phases: [
    {
      id: 'prepare',
      title: 'Generate and upload the new CA set (once)',
      nodes: 'one-server',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy tls and cred aside', what: ['tls', 'cred'] },
        {
          id: 'snapshot',
          kind: 'command',
          title: 'etcd-snapshot save --name pre-rotate-ca',
          run: { op: 'etcd-snapshot', name: 'pre-rotate-ca' },
          timeoutSeconds: 600,
        },
        {
          id: 'generate',
          kind: 'command',
          title: 'Generate new CAs cross-signed by the current ones (openssl on the node)',
          run: { op: 'generate-ca', path: BUNDLE },
          timeoutSeconds: 300,
        },
        // Before the upload changes the hash: where every node keeps a secure join token, and that each can move.
        {
          id: 'tokens',
          kind: 'gate',
          title: 'Every secure join token can move to the new CA hash',
          checks: [{ check: 'join-tokens' }],
          timeoutSeconds: 60,
        },
        {
          id: 'rotate-ca',
          kind: 'command',
          title: 'Upload the new CAs to the datastore',
          run: { op: 'rotate-ca', path: BUNDLE },
          destructive: true,
          timeoutSeconds: 120,
        },
      ],
    },
    {
      id: 'servers',
      title: 'Restart each server onto the new CAs',
      nodes: 'servers',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the tls directory aside', what: ['tls', 'agent-certs'] },
        {
          id: 'token',
          kind: 'command',
          title: "Move this node's join token to the new CA hash (backup beside each file)",
          run: { op: 'update-token' },
          timeoutSeconds: 60,
        },
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
        // Mid-rotation, members hold different CA chains: a TLS probe from a peer (curl/OpenSSL) cannot build the
        // cross-signed path, so etcd health is read from each member's local plain-HTTP probe.
        {
          id: 'gate',
          kind: 'gate',
          title: 'Healthy before the next server',
          checks: [{ check: 'unit-active' }, { check: 'etcd-members-healthy' }, { check: 'node-ready' }],
          timeoutSeconds: 180,
        },
        // The CA files are written before the unit reports active: waiting longer does not change a kept old CA.
        {
          id: 'ca',
          kind: 'gate',
          title: 'Holds the new server-ca',
          checks: [{ check: 'ca-consistent' }],
          timeoutSeconds: 15,
        },
      ],
    },
    {
      id: 'agents',
      title: 'Restart each agent onto the new CAs',
      nodes: 'agents',
      steps: [
        { id: 'backup', kind: 'backup', title: 'Copy the agent certificates aside', what: ['agent-certs'] },
        {
          id: 'token',
          kind: 'command',
          title: "Move this node's join token to the new CA hash (backup beside each file)",
          run: { op: 'update-token' },
          timeoutSeconds: 60,
        },
        {
          id: 'restart',
          kind: 'command',
          title: 'Restart the agent',
          run: { op: 'service', action: 'restart' },
          disrupts: true,
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
        {
          id: 'ca',
          kind: 'gate',
          title: 'Trusts the new server-ca',
          checks: [{ check: 'ca-consistent' }],
          timeoutSeconds: 15,
        },
      ],
    },
    {
      id: 'verify',
      title: 'Verify: every node holds the new server-ca',
      nodes: 'all',
      confirm: 'none',
      steps: [
        {
          id: 'ca',
          kind: 'gate',
          title: 'Same new server-ca on every node',
          checks: [{ check: 'ca-consistent' }],
          timeoutSeconds: 30,
        },
      ],
    },
  ],
  references: [
    'https://docs.k3s.io/cli/certificate#rotating-self-signed-ca-certificates',
    'https://github.com/k3s-io/k3s/blob/master/contrib/util/rotate-default-ca-certs.sh',
    'https://github.com/k3s-io/k3s/issues/11233',
    'https://github.com/k3s-io/k3s/issues/11940',
    'https://github.com/k3s-io/k3s/blob/master/pkg/clientaccess/token.go',
  ],
};
