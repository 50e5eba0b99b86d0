// One reading of a secrets re-encryption in progress: what the engine's wait measures and the run screen draws.

export interface ReencryptProgress {
  done: number;
  total: number | null;
  ratePerSecond: number | null;
  secondsLeft: number | null;
  stalledSeconds: number;
  finished: boolean;
  source: 'api' | 'journal' | 'none';
}
