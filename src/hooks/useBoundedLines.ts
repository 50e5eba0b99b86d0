// Live output without melting the terminal: lines go into a ring buffer of fixed capacity as fast as they come,
// and the component re-renders at most `maxRendersPerSecond` times (a journal in a restart loop is chatty).
import { useCallback, useEffect, useRef, useState } from 'react';
import { RingBuffer } from '../util/ring-buffer.js';

export interface BoundedLines {
  lines: readonly string[];
  /** Lines that fell out of the buffer since the last clear. */
  dropped: number;
  push: (...lines: string[]) => void;
  clear: () => void;
}

export function useBoundedLines(capacity = 500, maxRendersPerSecond = 10): BoundedLines {
  const buffer = useRef(new RingBuffer(capacity));
  const dirty = useRef(false);
  const timer = useRef<NodeJS.Timeout | null>(null);
  const [view, setView] = useState<{ lines: readonly string[]; dropped: number }>({ lines: [], dropped: 0 });
  const interval = Math.ceil(1000 / maxRendersPerSecond);

  const flush = useCallback(() => {
    timer.current = null;
    if (!dirty.current) return;
    dirty.current = false;
    setView({ lines: buffer.current.snapshot(), dropped: buffer.current.dropped });
  }, []);

  const push = useCallback(
    (...lines: string[]) => {
      for (const line of lines) buffer.current.push(line);
      dirty.current = true;
      // One pending flush at a time: a burst of pushes becomes one render at the end of the interval.
      if (!timer.current) timer.current = setTimeout(flush, interval);
    },
    [flush, interval],
  );

  const clear = useCallback(() => {
    buffer.current.clear();
    dirty.current = true;
    if (!timer.current) timer.current = setTimeout(flush, interval);
  }, [flush, interval]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  return { lines: view.lines, dropped: view.dropped, push, clear };
}
