// What a unit's systemd state means for an RKE2/K3s service (field-notes "Nodes, roles, units"; audit row #20).
// The units are Type=notify (k3s agents Type=exec) with Restart=always and RestartSec=5s:
// - a normal start sits in activating/start until the process reports READY, which takes minutes on a big server:
//   that is starting, not looping;
// - between two crashes systemd holds the unit in activating/auto-restart for RestartSec: that is the loop;
// - NRestarts counts the automatic restarts since the unit was last started by hand (a manual start resets it),
//   so a unit that is not active with NRestarts > 0 has crashed and been restarted by systemd: looping, or a loop
//   that hit the start limit (failed).
// One home for the rule: discovery's checks and diagnoses and the components all ask this.

export type ServiceCondition = 'running' | 'starting' | 'restart-loop' | 'failed' | 'stopping' | 'stopped' | 'unknown';

export interface ServiceStateFacts {
  /** systemd ActiveState, or "unknown". */
  state: string;
  /** systemd SubState ("start", "auto-restart", "running", ...); empty or absent when not read. */
  subState?: string;
  restarts: number;
}

/** systemd holds a unit in these between a failed try and the next (auto-restart-queued on systemd ≥ 254). */
const RESTART_WAITS = ['auto-restart', 'auto-restart-queued'];

/** The unit is waiting RestartSec after a failed try: a restart loop in progress, whatever NRestarts says yet. */
export function isRestartWait(subState: string | undefined): boolean {
  return RESTART_WAITS.includes(subState ?? '');
}

export function serviceCondition({ state, subState = '', restarts }: ServiceStateFacts): ServiceCondition {
  if (state === 'active' || state === 'reloading') return 'running';
  if (isRestartWait(subState)) return 'restart-loop';
  switch (state) {
    case 'activating':
      return restarts > 0 ? 'restart-loop' : 'starting';
    case 'failed':
      return restarts > 0 ? 'restart-loop' : 'failed';
    case 'deactivating':
      return 'stopping';
    case 'inactive':
      // Restart=always never leaves a crashed unit inactive: inactive is a stop by hand, whatever NRestarts says.
      return 'stopped';
    default:
      return 'unknown';
  }
}
