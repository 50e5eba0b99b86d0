// A counter that advances every `intervalMs` while `active`: drives spinners without components owning timers.
import { useEffect, useState } from 'react';

export function useTicker(active: boolean, intervalMs = 100): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return tick;
}
