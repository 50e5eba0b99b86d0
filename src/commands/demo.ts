import { UsageError } from '../errors.js';

export async function runDemo(..._args: unknown[]): Promise<number> {
  throw new UsageError('demo: not implemented yet — see the README for what works today');
}
