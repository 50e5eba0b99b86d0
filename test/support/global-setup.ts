// vitest globalSetup: before any test, make sure dist/ holds a bundle built from the current sources (see built.ts).
// `npm test` builds first, so this rebuilds only after a source edit in the inner loop (`npx vitest run test/x`),
// and says so: a test never runs a stale bundle in silence.
import { ensureBuilt } from './built.js';

export default async function setup(): Promise<void> {
  const started = Date.now();
  const rebuilt = await ensureBuilt();
  if (rebuilt.length > 0) process.stdout.write(`rebuilt ${rebuilt.join(', ')} in ${Date.now() - started} ms\n`);
}
