// The service's ActiveState and restart count: `systemctl show -p ActiveState,NRestarts <unit>`.
import type { ExecResult } from '../../transports/types.js';
import { parseProperties, showUnitCommand } from '../commands.js';
import type { StepContext } from '../context.js';
import type { PlannedNode } from '../plan-types.js';

export type UnitReading = { ok: true; state: string; restarts: number } | { ok: false; exec: ExecResult };

export async function readUnit(ctx: StepContext, node: PlannedNode = ctx.node): Promise<UnitReading> {
  const r = await ctx.exec(node, showUnitCommand(node), 30);
  if (r.outcome !== 'ok') return { ok: false, exec: r };
  const props = parseProperties(r.stdout);
  const restarts = Number(props.NRestarts ?? '0');
  return { ok: true, state: props.ActiveState ?? 'unknown', restarts: Number.isFinite(restarts) ? restarts : 0 };
}
