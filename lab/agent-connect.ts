// An agent reaching for a server, as k3s-io/k3s pkg/agent/run.go (createProxyAndValidateToken) does it: the token is
// validated against the server's /cacerts through the agent's local load balancer (127.0.0.1:6444), and on failure
// the process logs `level=error msg="Failed to validate connection to cluster at <server>: ..."` and tries again
// 2 s later, for as long as it runs. It does not exit, so systemd never restarts it: a Type=notify unit stays
// "activating (start)" (READY=1 comes only once the agent is up and running, and TimeoutStartSec=0 never gives up),
// NRestarts does not move (k3s#3727 shows the 2 s rhythm). Older releases logged the bare error
// (`failed to get CA certs: ...`, k3s#9748); the lab writes the current wording.
import { isControlPlane, type LabNode } from './lab-node.js';
import type { LabRuntime } from './lab-runtime.js';
import { supervisorPort } from './node-files.js';

const RETRY_MS = 2_000;
/** The agent's client-side load balancer for the supervisor (`--lb-server-port`, default 6444 on K3s and RKE2). */
const LB_PORT = 6444;

export type AgentLog = (level: 'info' | 'error', msg: string) => void;

/**
 * Waits, retrying every 2 s (scaled), until a control-plane server is up; returns it, or null when `keepTrying`
 * says the process is gone (stopped, killed or replaced).
 */
export async function connectToServer(
  lab: LabRuntime,
  node: LabNode,
  log: AgentLog,
  keepTrying: () => boolean,
  signal?: AbortSignal,
): Promise<LabNode | null> {
  const server = `https://${serverAddress(lab, node)}:${supervisorPort(node.prog)}`;
  node.awaitingServer = true;
  try {
    return await retryUntilConnected(lab, node, log, server, keepTrying, signal);
  } finally {
    node.awaitingServer = false;
  }
}

async function retryUntilConnected(
  lab: LabRuntime,
  node: LabNode,
  log: AgentLog,
  server: string,
  keepTrying: () => boolean,
  signal?: AbortSignal,
): Promise<LabNode | null> {
  for (let attempt = 0; ; attempt += 1) {
    if (!keepTrying()) return null;
    const target = lab.activeControlPlane();
    if (target) return target;
    // The load balancer accepts locally and drops the connection when no server answers behind it.
    const local = 40_000 + ((node.service.mainPid * 7 + attempt * 13) % 20_000);
    log(
      'error',
      `Failed to validate connection to cluster at ${server}: failed to get CA certs: Get "https://127.0.0.1:${LB_PORT}/cacerts": read tcp 127.0.0.1:${local}->127.0.0.1:${LB_PORT}: read: connection reset by peer`,
    );
    if (!(await lab.clock.sleep(RETRY_MS, signal))) return null;
  }
}

/** The `server:` the agent was joined with (its join target), or the first control-plane server. */
function serverAddress(lab: LabRuntime, node: LabNode): string {
  const target = node.joinTarget ? lab.node(node.joinTarget) : undefined;
  return (target ?? lab.nodes.find(isControlPlane))?.spec.address ?? '127.0.0.1';
}
