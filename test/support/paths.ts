import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures/upstream');
/** Runs the CLI from source, so tests never meet a stale dist/. */
export const cliArgs = ['--import', 'tsx', path.join(repoRoot, 'src/cli.tsx')];
