import { UsageError } from '../errors.js';

export async function runResume(..._args: unknown[]): Promise<number> {
  throw new UsageError('resume: not implemented yet — see the README for what works today');
}
