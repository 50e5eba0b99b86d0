// One start attempt of a node's main process (rke2/k3s server or agent), logged like upstream:
// renew leaves in the renew window, bring up the etcd member (etcd role), reconcile with the datastore and list
// etcd members (control-plane role; the split-role restart loop happens here), or register with a server (agent).
import { renewWindowDays } from '../src/model/versions.js';
import { refreshEncryptionState } from './encryption-files.js';
import { hasEtcd, isControlPlane, isServerNode, type LabNode } from './lab-node.js';
import { connectToServer } from './agent-connect.js';
import { reconcileAgentCas, reconcileServerBootstrap } from './node-bootstrap.js';
import { awaitAgentToken, joiningServerTokenError } from './join-token.js';
import { agentUnitType, panicsRestartingAfterPrepare } from './upstream-versions.js';
import type { LabRuntime } from './lab-runtime.js';
import { renewLeaves } from './pki/index.js';
import { cleanupPodsOnStart, markApiserverStarted } from './static-pods.js';
import type { AttemptContext, AttemptResult } from './service.js';
import { supervisorPort } from './node-files.js';

const SERVER_START_MS = 3_000;
const AGENT_START_MS = 1_500;
/** How often a Type=exec agent's background start checks that its process still runs (real time). */
const PROCESS_WATCH_MS = 50;
/** A window no leaf is outside of: an agent's start re-issues every agent leaf. */
const AGENT_RENEWS_ALL_DAYS = 100 * 366;
/** How often a server waiting for its local etcd member logs "Waiting for etcd server to become available". */
const ETCD_WAIT_LOG_MS = 30_000;

export const HANDSHAKE_FATAL =
  'starting kubernetes: preparing server: failed to get MemberList from server: Internal error occurred: failed to get etcd MemberList: rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: context deadline exceeded"';

export async function attemptNodeStart(
  lab: LabRuntime,
  node: LabNode,
  attempt: AttemptContext,
): Promise<AttemptResult> {
  if (isServerNode(node) || agentUnitType(node.prog, lab.options.version) === 'notify')
    return runNodeProcess(lab, node, attempt);
  // Type=exec (K3s agents installed before July 2022): systemd calls the unit started as soon as the process runs,
  // so `systemctl start` returns and the unit is active (running) while the agent still connects in the background.
  const gone = new AbortController();
  const watch = setInterval(() => {
    if (node.service.mainPid !== attempt.pid || lab.lifetime.signal.aborted) gone.abort();
  }, PROCESS_WATCH_MS);
  void runNodeProcess(lab, node, { ...attempt, signal: gone.signal }).finally(() => clearInterval(watch));
  return { ok: true };
}

/** The main process from its start until it is up and running (READY=1 for a notify unit), or stopped. */
async function runNodeProcess(lab: LabRuntime, node: LabNode, attempt: AttemptContext): Promise<AttemptResult> {
  const log = (level: 'info' | 'warning' | 'error' | 'fatal', msg: string) =>
    node.journal.service(node.prog, attempt.pid, level, msg);
  const fail = (msg: string): AttemptResult => {
    log('fatal', msg);
    return { ok: false, reason: msg };
  };
  const server = isServerNode(node);
  const duration = server ? SERVER_START_MS : AGENT_START_MS;
  log('info', `Starting ${node.prog} ${lab.options.version} (lab)`);

  // The join token's CA hash is checked before anything is taken from the server (join-token.ts).
  if (!server && !(await awaitAgentToken(lab, node, attempt.signal, log))) return { ok: false, reason: 'stopped' };
  const tokenError = server ? await joiningServerTokenError(lab, node) : null;
  if (tokenError) return fail(tokenError);

  // RKE2: force-restart (written by `certificate rotate`) terminates the still-running static pods first.
  if (server) await cleanupPodsOnStart(lab, node, (msg) => log('info', msg));
  if (server) await reconcileServerBootstrap(lab, node, log);
  else await reconcileAgentCas(lab, node, log);
  // Servers renew leaves that are expired or inside the renew window on every start, under the same CA. Agents
  // fetch new certificates from a server on every start ("Agent certificates are renewed every time the agent
  // starts", docs.rke2.io/security/certificates; brandond in rke2#2623): upstream's way to renew an agent.
  const window = server ? renewWindowDays(lab.options.version) : AGENT_RENEWS_ALL_DAYS;
  for (const file of await renewLeaves(node.certs, lab.clock.now(), window)) {
    if (server) log('info', `Certificate ${file} is expired or will expire within ${window} days; renewed`);
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
    // No READY=1 before the local member is ready, and etcd's ReadyNotify needs a quorum; the units have
    // TimeoutStartSec=0, so a blocking `systemctl start` of the first server of a stopped cluster waits until a
    // quorum of members runs (k3s pkg/cli/server/server.go READY after ETCDReady; pkg/daemons/control/server.go
    // logs "Waiting for etcd server to become available" every 30 s with no deadline; rke2-server.service and
    // k3s install.sh units: TimeoutStartSec=0; k3s tests/e2e/validatecluster: "If we only start one at a time,
    // the first will hang waiting for the second to be up").
    while (!(await lab.waitForQuorum(ETCD_WAIT_LOG_MS, attempt.signal))) {
      if (attempt.signal.aborted) return { ok: false, reason: 'stopped' };
      log('info', 'Waiting for etcd server to become available');
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
    // No server: the agent retries in-process every 2 s (it never exits for this), see agent-connect.ts.
    const target = await connectToServer(lab, node, log, () => !attempt.signal.aborted, attempt.signal);
    if (!target) return { ok: false, reason: 'stopped' };
    log(
      'info',
      `Connecting to proxy url="wss://${target.spec.address}:${supervisorPort(node.prog)}/v1-${node.prog}/connect"`,
    );
  }

  if (!(await lab.clock.sleep(duration * 0.8, attempt.signal))) return { ok: false, reason: 'stopped' };
  if (panicsAfterPrepare(lab, node)) return panic(node, attempt.pid, log);
  if (isControlPlane(node)) log('info', 'Tunnel server egress proxy mode: agent');
  log('info', `${node.prog} ${server ? 'server' : 'agent'} is up and running`);
  markApiserverStarted(node);
  return { ok: true };
}

/** rke2#8236: a control-plane-only server of a split cluster, restarted while the datastore is at `prepare`. */
function panicsAfterPrepare(lab: LabRuntime, node: LabNode): boolean {
  const splitCluster = lab.nodes.some((n) => hasEtcd(n) && !isControlPlane(n));
  return (
    splitCluster &&
    isControlPlane(node) &&
    !hasEtcd(node) &&
    lab.datastore.encryption.stage === 'prepare' &&
    panicsRestartingAfterPrepare(node.prog, lab.options.version)
  );
}

function panic(node: LabNode, pid: number, log: (level: 'info', msg: string) => void): AttemptResult {
  log('info', 'Kube API server is now running');
  log('info', 'Connection to etcd is ready');
  const raw = (text: string) => node.journal.raw(node.prog, pid, text);
  raw('panic: runtime error: invalid memory address or nil pointer dereference');
  raw('[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x3a5c1e4]');
  raw('');
  raw(`goroutine 412 [running]:`);
  raw(`github.com/k3s-io/k3s/pkg/secretsencrypt.(*handler).onChangeNode(0xc000a3c0f0, {0xc0012a8f60, 0x10}, 0x0)`);
  raw('\t/go/pkg/mod/github.com/k3s-io/k3s/pkg/secretsencrypt/controller.go:96 +0x64');
  return { ok: false, reason: 'panic: runtime error: invalid memory address or nil pointer dereference' };
}
