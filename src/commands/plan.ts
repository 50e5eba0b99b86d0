import { UsageError } from '../errors.js';

export async function runPlan(..._args: unknown[]): Promise<number> {
  throw new UsageError('plan: not implemented yet — see the README for what works today');
}
