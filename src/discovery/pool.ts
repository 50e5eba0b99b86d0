// Bounded parallelism for node scans.
/** Nodes scanned at once by default: enough to hide per-node latency, few enough ssh sessions for a laptop. */
export const SCAN_CONCURRENCY = 32;

/** At most `limit` tasks in flight across every caller that shares it (prefetched and regular scans alike). */
export type Limiter = <R>(task: () => Promise<R>) => Promise<R>;

export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <R>(task: () => Promise<R>): Promise<R> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
