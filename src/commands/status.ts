import { UsageError } from '../errors.js';

export async function runStatus(..._args: unknown[]): Promise<number> {
  throw new UsageError('status: not implemented yet — see the README for what works today');
}
