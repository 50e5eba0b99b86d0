import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures/upstream');
/**
 * Runs the CLI as users do: the launcher and the bundle (patched Ink, React's production build), `node` + these.
 * test/support/global-setup.ts rebuilds dist/ first whenever it is older than the sources, so a test never meets a
 * stale bundle.
 */
export const cliArgs = [path.join(repoRoot, 'bin/keyturn.js')];
