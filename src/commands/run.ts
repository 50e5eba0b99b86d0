import { UsageError } from '../errors.js';

export async function runRecipe(..._args: unknown[]): Promise<number> {
  throw new UsageError('run: not implemented yet — see the README for what works today');
}
