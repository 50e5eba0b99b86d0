// The service's state and restart count: `systemctl show -p ActiveState,SubState,NRestarts <unit>`, and what it
// means. Units are Type=notify with Restart=always, RestartSec=5s (field-notes "Restart loops"): a normal start sits
// in activating/start until READY=1, which can take minutes; a loop shows as activating/auto-restart between tries
// (auto-restart-queued on systemd ≥ 254) and as NRestarts rising. "activating" alone says nothing about a loop.
import { isRestartWait } from '../../model/service-state.js';
import type { ExecResult } from '../../transports/types.js';
import { parseProperties, showUnitCommand } from '../commands.js';
import type { StepContext } from '../context.js';
import type { PlannedNode } from '../plan-types.js';

export type UnitReading =
  { ok: true; state: string; subState: string; restarts: number } | { ok: false; exec: ExecResult };

/** active · starting (a start job, however long) · restarting (a failed try, the next one scheduled) · other. */
export type UnitPhase = 'active' | 'starting' | 'restarting' | 'other';

/** The phase of one reading; a loop is also NRestarts rising between readings, which settle watches itself. */
export function unitPhase(u: { state: string; subState: string }): UnitPhase {
  if (u.state === 'active') return 'active';
  if (u.state === 'activating') return isRestartWait(u.subState) ? 'restarting' : 'starting';
  return 'other';
}

/** "activating/start", "active/running": the SubState where it tells something (failed/failed does not). */
export function describeUnitState(u: { state: string; subState: string }): string {
  return u.subState && (u.state === 'activating' || u.state === 'active') ? `${u.state}/${u.subState}` : u.state;
}

export async function readUnit(ctx: StepContext, node: PlannedNode = ctx.node): Promise<UnitReading> {
  const r = await ctx.exec(node, showUnitCommand(node), 30);
  if (r.outcome !== 'ok') return { ok: false, exec: r };
  const props = parseProperties(r.stdout);
  const restarts = Number(props.NRestarts ?? '0');
  return {
    ok: true,
    state: props.ActiveState ?? 'unknown',
    subState: props.SubState ?? '',
    restarts: Number.isFinite(restarts) ? restarts : 0,
  };
}
