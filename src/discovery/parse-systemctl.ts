// Parses `systemctl show -p ActiveState,SubState,NRestarts,ActiveEnterTimestamp <unit>` (Key=Value lines).
// A unit systemd does not know still prints LoadState=not-found / ActiveState=inactive, so "not found" is a value.

export interface UnitState {
  activeState: string;
  subState: string;
  restarts: number;
  /** As systemd prints it ("Mon 2025-01-23 12:12:39 UTC"), or null when never entered / not printed. */
  activeEnterTimestamp: string | null;
  loadState: string | null;
}

export function parseSystemctlShow(output: string): UnitState | null {
  const values = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z]+$/.test(key)) continue;
    values.set(key, line.slice(eq + 1).trim());
  }
  const active = values.get('ActiveState');
  if (!active) return null;
  const restarts = Number(values.get('NRestarts') ?? '0');
  const entered = values.get('ActiveEnterTimestamp');
  return {
    activeState: active,
    subState: values.get('SubState') ?? '',
    restarts: Number.isFinite(restarts) ? restarts : 0,
    activeEnterTimestamp: entered && entered !== 'n/a' ? entered : null,
    loadState: values.get('LoadState') ?? null,
  };
}
