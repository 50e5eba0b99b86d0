// Bad input is an expected failure: one line naming the input and the fix, exit 2, nothing half-done.
import { neutraliseText } from './util/untrusted-text.js';

export class UsageError extends Error {
  constructor(message: string) {
    // Bad-input messages quote the input: a name from the kubeconfig or inventory, the yaml package's parse error
    // (which quotes the offending text). Those files are the operator's, but may be copied from anywhere: the one
    // sanitiser makes the line safe to print (escape sequences marked, never sent to the terminal).
    super(neutraliseText(message));
    this.name = 'UsageError';
  }
}

/** Builds the one-line message "<input>: <problem> — <fix>". */
export function inputError(input: string, problem: string, fix: string): UsageError {
  return new UsageError(`${input}: ${problem} — ${fix}`);
}
