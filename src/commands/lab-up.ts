import { UsageError } from '../errors.js';

export async function runLabUp(..._args: unknown[]): Promise<number> {
  throw new UsageError('lab-up: not implemented yet — see the README for what works today');
}
