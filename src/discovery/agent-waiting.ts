// An agent that cannot reach a server is not in a restart loop. K3s and RKE2 agents retry the server inside the
// process every 2 s, logging `level=error msg="Failed to validate connection to cluster at <server>: <cause>"`
// (older releases: the bare cause, e.g. `failed to get CA certs: ...`), and never exit for it (k3s-io/k3s
// pkg/agent/run.go, createProxyAndValidateToken; k3s#3727, k3s#9748, k3s#12539). Their Type=notify unit stays
// "activating (start)" with NRestarts unchanged until the agent is up; a Type=exec unit (K3s agents installed
// before July 2022) is "active (running)" meanwhile. The fix is a reachable server, not a restart.
import { isServer, type Role } from '../model/cluster.js';
import type { Diagnosis } from '../model/status.js';
import { clip } from '../util/clip.js';
import { logMessage, type JournalLine } from './parse-journal.js';
import type { UnitState } from './parse-systemctl.js';

export const AGENT_WAITING_CODE = 'agent-waiting-for-server';

// The same loop logs any validation failure: no server (`failed to get CA certs`) or a stale token (k3s#3727).
const RETRY = /Failed to validate connection to cluster at |failed to get CA certs: |token CA hash does not match/;
/** Lines an agent logs once it reached a server (after which earlier retries are history). */
const CONNECTED = /Connecting to proxy|agent is up and running/;

export function agentWaitingForServer(
  lines: readonly JournalLine[],
  roles: readonly Role[],
  unit: UnitState | null,
): Diagnosis | null {
  if (isServer(roles) || !unit) return null;
  const running =
    unit.activeState === 'active' || (unit.activeState === 'activating' && unit.subState !== 'auto-restart');
  if (!running) return null;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i];
    if (CONNECTED.test(line.message)) return null;
    // A fatal line means the process exited (e.g. a server's join): that is a crash, not this retry.
    if (line.level === 'error' && RETRY.test(line.message)) {
      return {
        code: AGENT_WAITING_CODE,
        message: `the agent cannot reach or validate a server and retries every 2 s (${unit.activeState}${unit.subState ? `/${unit.subState}` : ''}, ${unit.restarts} restarts; not a restart loop): ${clip(logMessage(line), 300)}`,
        evidence: line.raw,
        recipe: null,
      };
    }
  }
  return null;
}
