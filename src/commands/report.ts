import { UsageError } from '../errors.js';

export async function runReport(..._args: unknown[]): Promise<number> {
  throw new UsageError('report: not implemented yet — see the README for what works today');
}
