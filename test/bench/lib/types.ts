// What a benchmark hands back to run.ts: one table of rows (target, measured, verdict) and free-form notes.
export type Verdict = 'met' | 'missed' | 'not measured' | 'info';

export interface Row {
  metric: string;
  target: string;
  measured: string;
  verdict: Verdict;
  notes?: string;
}

export interface Section {
  id: string;
  title: string;
  rows: Row[];
  notes: string[];
  /** Wall time the benchmark took, filled in by run.ts. */
  seconds?: number;
}

export interface BenchContext {
  repoRoot: string;
  /** Medians are taken over this many runs (BENCH_RUNS, default 3). */
  runs: number;
  /** Log a progress line (stderr). */
  log(line: string): void;
  /** Every lab gets its own --net: 127.0.<base + n>. */
  nextNet(): string;
}

export interface Bench {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Section>;
}

/** A row for a metric that could not be measured, with the one-line reason. */
export function notMeasured(metric: string, target: string, reason: string): Row {
  return { metric, target, measured: `not measured: ${reason}`, verdict: 'not measured' };
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'met' : 'missed';
}

/** The first line of an error, for a table cell. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
