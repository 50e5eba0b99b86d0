// Bad input is an expected failure: one line naming the input and the fix, exit 2, nothing half-done.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Builds the one-line message "<input>: <problem> — <fix>". */
export function inputError(input: string, problem: string, fix: string): UsageError {
  return new UsageError(`${input}: ${problem} — ${fix}`);
}
