// The run screen's one bridge to a running run: subscribes to the RunBridge store (already batched to ≤ 10
// notifications per second) and returns its current view.
import { useSyncExternalStore } from 'react';
import type { RunBridgeView, RunView } from './run-bridge.js';

export function useRunView(bridge: RunBridgeView): RunView {
  return useSyncExternalStore(bridge.subscribe, bridge.getSnapshot, bridge.getSnapshot);
}
