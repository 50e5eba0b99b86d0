import { UsageError } from '../errors.js';

export async function runLabFault(..._args: unknown[]): Promise<number> {
  throw new UsageError('lab-fault: not implemented yet — see the README for what works today');
}
