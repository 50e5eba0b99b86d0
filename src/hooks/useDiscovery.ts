// The bridge between the screens and discovery: runs `discover`, keeps the last good report while a refresh is
// under way or has failed, and aborts whatever is in flight on refresh and on unmount.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { NodePreview, StatusReport } from '../model/status.js';

/** Scans the cluster; `onPreview` hears the node list as soon as it is known, before the scan ends. */
export type Discover = (signal?: AbortSignal, onPreview?: (preview: NodePreview) => void) => Promise<StatusReport>;

export type DiscoveryState =
  | { status: 'loading'; last: StatusReport | null; preview: NodePreview | null }
  | { status: 'ready'; report: StatusReport; at: Date }
  | { status: 'error'; message: string; last: StatusReport | null };

export interface UseDiscovery {
  state: DiscoveryState;
  refresh: () => void;
}

export function lastReport(state: DiscoveryState): StatusReport | null {
  return state.status === 'ready' ? state.report : state.last;
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] || 'discovery failed';
}

export function useDiscovery(discover: Discover, initialPreview: NodePreview | null = null): UseDiscovery {
  const [state, setState] = useState<DiscoveryState>({ status: 'loading', last: null, preview: initialPreview });
  const [generation, setGeneration] = useState(0);
  // The latest discover without re-running the effect when a parent passes a new closure each render.
  const discoverRef = useRef(discover);
  discoverRef.current = discover;

  useEffect(() => {
    const controller = new AbortController();
    setState((prev) => ({
      status: 'loading',
      last: lastReport(prev),
      preview: prev.status === 'loading' ? prev.preview : null,
    }));
    const onPreview = (preview: NodePreview) => {
      if (!controller.signal.aborted) setState((prev) => (prev.status === 'loading' ? { ...prev, preview } : prev));
    };
    discoverRef.current(controller.signal, onPreview).then(
      (report) => {
        if (!controller.signal.aborted) setState({ status: 'ready', report, at: new Date() });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) {
          setState((prev) => ({ status: 'error', message: messageOf(err), last: lastReport(prev) }));
        }
      },
    );
    return () => controller.abort();
  }, [generation]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { state, refresh };
}
