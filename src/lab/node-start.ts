// One start attempt of a node's main process (rke2/k3s server or agent), logged like upstream:
// renew leaves in the renew window, bring up the etcd member (etcd role), reconcile with the datastore and list
// etcd members (control-plane role; the split-role restart loop happens here), or register with a server (agent).
import { renewWindowDays } from '../model/versions.js';
import { refreshEncryptionState } from './encryption-files.js';
import { hasEtcd, isControlPlane, isServerNode, type LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';
import { renewLeaves } from './pki/index.js';
import type { AttemptContext, AttemptResult } from './service.js';
import { supervisorPort } from './node-files.js';

const SERVER_START_MS = 3_000;
const AGENT_START_MS = 1_500;
/** How long a server with a local etcd member waits for quorum ("Waiting for etcd server to become available"). */
const LOCAL_ETCD_WAIT_MS = 60_000;

export const HANDSHAKE_FATAL =
  'starting kubernetes: preparing server: failed to get MemberList from server: Internal error occurred: failed to get etcd MemberList: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: context deadline exceeded"';

export async function attemptNodeStart(lab: LabRuntime, node: LabNode, attempt: AttemptContext): Promise<AttemptResult> {
  const log = (level: 'info' | 'warning' | 'error' | 'fatal', msg: string) => node.journal.service(node.prog, attempt.pid, level, msg);
  const fail = (msg: string): AttemptResult => {
    log('fatal', msg);
    return { ok: false, reason: msg };
  };
  const server = isServerNode(node);
  const duration = server ? SERVER_START_MS : AGENT_START_MS;
  log('info', `Starting ${node.prog} ${lab.options.version} (lab)`);

  // Upstream renews leaves that are expired or inside the renew window on every start, under the same CA.
  const window = renewWindowDays(lab.options.version);
  for (const file of await renewLeaves(node.certs, lab.clock.now(), window)) {
    log('info', `Certificate ${file} is expired or will expire within ${window} days; renewed`);
  }
  if (server) {
    node.encryptionHash = await refreshEncryptionState(node.paths.dataDir);
    if (node.encryptionHash) log('info', `Updated encryption hash annotation to ${node.encryptionHash}`);
  }
  if (!(await lab.clock.sleep(duration * 0.2, attempt.signal))) return { ok: false, reason: 'stopped' };

  if (hasEtcd(node)) {
    log('info', 'Starting etcd for existing cluster member');
    try {
      await lab.etcd.member(node.spec.name).start();
    } catch (error) {
      return fail(`starting etcd: ${error instanceof Error ? error.message : String(error)}`);
    }
    lab.refreshHealthSoon();
    if (isControlPlane(node)) {
      log('info', 'Waiting for etcd server to become available');
      if (!(await lab.waitForQuorum(LOCAL_ETCD_WAIT_MS, attempt.signal))) {
        if (attempt.signal.aborted) return { ok: false, reason: 'stopped' };
        return fail(HANDSHAKE_FATAL);
      }
    }
  }

  if (isControlPlane(node)) {
    log('info', 'Reconciling bootstrap data between datastore and disk');
    const health = await lab.queryHealth();
    if (attempt.signal.aborted) return { ok: false, reason: 'stopped' };
    // Only an operator's start while etcd is healthy gets a stuck server out of its loop.
    if (attempt.cause === 'explicit' && health.healthy) node.stuck = false;
    if (node.stuck || !health.healthy) {
      node.stuck = true;
      return fail(HANDSHAKE_FATAL);
    }
  }

  if (!server) {
    const target = lab.activeControlPlane();
    if (!target) {
      const first = lab.nodes.find(isControlPlane);
      const address = `${first?.spec.address ?? '127.0.0.1'}:${supervisorPort(node.prog)}`;
      return fail(`Error: failed to get CA certs: Get "https://${address}/cacerts": dial tcp ${address}: connect: connection refused`);
    }
    log('info', `Connecting to proxy url="wss://${target.spec.address}:${supervisorPort(node.prog)}/v1-${node.prog}/connect"`);
  }

  if (!(await lab.clock.sleep(duration * 0.8, attempt.signal))) return { ok: false, reason: 'stopped' };
  if (isControlPlane(node)) log('info', 'Tunnel server egress proxy mode: agent');
  log('info', `${node.prog} ${server ? 'server' : 'agent'} is up and running`);
  return { ok: true };
}
