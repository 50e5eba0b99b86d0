import { UsageError } from '../errors.js';

export async function runWizard(..._args: unknown[]): Promise<number> {
  throw new UsageError('wizard: not implemented yet — see the README for what works today');
}
