// Small statistics and formatting helpers: medians of repeated runs, and numbers for the tables.
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

/** "median 1.23 s (runs: 1.20, 1.23, 1.40 s)" */
export function fmtRuns(values: readonly number[]): string {
  const m = median(values);
  if (values.length <= 1) return fmtMs(m);
  const unitS = m >= 1000;
  const each = values.map((v) => (unitS ? (v / 1000).toFixed(2) : String(Math.round(v)))).join(', ');
  return `median ${fmtMs(m)} (${values.length} runs: ${each}${unitS ? ' s' : ' ms'})`;
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

export async function repeat<T>(times: number, once: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await once(i));
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
