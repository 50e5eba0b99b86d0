// What the tests spawn is what users run: bin/keyturn.js and the bundle in dist/bundle. The bundle must be built
// from the sources the tests read, so a dist/ older than any input is rebuilt before a test starts (vitest's
// globalSetup, test/support/global-setup.ts) — never silently tested as it was. Test-only child scripts are bundled
// the same way (bundleOptions: the patched Ink, React's production build), into dist/test.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleOptions } from '../../bin/bundle-patches.mjs';
import { repoRoot } from './paths.js';

/** Everything `npm run build` reads: the sources the bundle is made of, the build script and its patches, the lockfile. */
const BUNDLE_INPUTS = ['src', 'components', 'recipes', 'bin/build.mjs', 'bin/bundle-patches.mjs', 'package-lock.json'];

export const bundleEntry = path.join(repoRoot, 'dist/bundle/cli.js');

/** Test-only children, bundled like the CLI; test/.../<out>.ts → dist/test/<out>.mjs (esbuild names it after the source). */
export const testChildren = {
  killChild: { source: 'test/reliability/support-kill-child.ts', out: 'support-kill-child' },
} as const;
/** The test folders those children import from (besides the product's sources): editing other tests rebuilds nothing. */
const CHILD_INPUTS = ['test/reliability', 'test/support'];

export const testChildPath = (name: keyof typeof testChildren): string =>
  path.join(repoRoot, 'dist/test', `${testChildren[name].out}.mjs`);

/** Newest modification time under `paths` (files and directories, recursively); 0 when none exist. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (file: string) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) for (const entry of readdirSync(file)) visit(path.join(file, entry));
    newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of paths) visit(path.resolve(repoRoot, p));
  return newest;
}

/** Why `output` must be rebuilt from `inputs`, or null when it is newer than all of them. */
export function staleness(output: string, inputs: readonly string[]): string | null {
  if (!existsSync(output)) return `${path.relative(repoRoot, output)} is missing`;
  const built = statSync(output).mtimeMs;
  const newest = newestMtime(inputs);
  return newest > built ? `${path.relative(repoRoot, output)} is older than its sources` : null;
}

/** Builds into a fresh directory beside `outdir`, then swaps it in, so a reader never sees a half-written bundle. */
async function buildInto(outdir: string, make: (dir: string) => Promise<void>): Promise<void> {
  const fresh = `${outdir}.building-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(path.dirname(outdir), { recursive: true });
  await make(fresh);
  rmSync(outdir, { recursive: true, force: true });
  renameSync(fresh, outdir);
}

/** Rebuilds dist/bundle and dist/test when older than their inputs; returns what was rebuilt and why. */
export async function ensureBuilt(): Promise<string[]> {
  const rebuilt: string[] = [];
  const bundleWhy = staleness(bundleEntry, BUNDLE_INPUTS);
  if (bundleWhy) {
    await buildInto(path.join(repoRoot, 'dist/bundle'), async (outdir) => {
      await build(bundleOptions({ entryPoints: [path.join(repoRoot, 'src/cli.tsx')], outdir }));
    });
    rebuilt.push(`dist/bundle (${bundleWhy})`);
  }
  const entries = Object.values(testChildren);
  const childWhy = entries
    .map((c) => staleness(path.join(repoRoot, 'dist/test', `${c.out}.mjs`), [...BUNDLE_INPUTS, ...CHILD_INPUTS]))
    .find(Boolean);
  if (childWhy) {
    await buildInto(path.join(repoRoot, 'dist/test'), async (outdir) => {
      await build(
        bundleOptions({
          entryPoints: entries.map((c) => path.join(repoRoot, c.source)),
          outdir,
          outExtension: { '.js': '.mjs' },
          // These children render nothing: no Ink or Yoga in them for the patches to apply to (each patch fails a
          // build it finds nothing to patch in). They still get the shipped bundle's production React and requires.
          patched: false,
        }),
      );
    });
    rebuilt.push(`dist/test (${childWhy})`);
  }
  return rebuilt;
}
