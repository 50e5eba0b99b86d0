// The bundle users run patches Ink and Yoga (bin/bundle-patches.mjs). These tests bundle a small Ink program with
// and without the patches and hold the patched one to the same frames, to a bounded memory, and the patch helper
// to failing loudly when a dependency no longer reads the way a patch expects.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions, replaceExactly } from '../../bin/bundle-patches.mjs';
import { repoRoot } from '../support/paths.js';

const exec = promisify(execFile);
let dir = '';
const bundles = { patched: '', unpatched: '' };

async function bundleProbe(name: string, patched: boolean): Promise<string> {
  const outdir = path.join(dir, name);
  await build({
    ...bundleOptions({
      entryPoints: [path.join(repoRoot, 'test/build/ink-probe.tsx')],
      outdir,
      patched,
      outExtension: { '.js': '.mjs' },
    }),
    logLevel: 'silent',
  });
  return path.join(outdir, 'ink-probe.mjs');
}

async function probe(bundle: string, ...args: string[]): Promise<string> {
  // FORCE_COLOR: the probe's stdout is a pipe, and the frames must carry their styles to be compared.
  const { stdout } = await exec(process.execPath, ['--expose-gc', bundle, ...args], {
    cwd: repoRoot,
    env: { ...process.env, FORCE_COLOR: '1' },
  });
  return stdout;
}

/** Heap still reachable after redrawing `lines` distinct lines in one long-lived app. */
async function retained(bundle: string, lines: number): Promise<number> {
  return (JSON.parse(await probe(bundle, 'retained', String(lines))) as { retainedBytes: number }).retainedBytes;
}

describe("the bundle's patches to Ink and Yoga", () => {
  beforeAll(async () => {
    // Inside the repository, so the bundles' one external (react-devtools-core, never loaded) resolves as in dist/.
    dir = mkdtempSync(path.join(repoRoot, 'dist', '.probe-'));
    [bundles.patched, bundles.unpatched] = await Promise.all([
      bundleProbe('patched', true),
      bundleProbe('unpatched', false),
    ]);
  }, 60_000);

  afterAll(() => {
    if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the same frame as unpatched Ink (styles, border, wide characters, emoji, truncation)', async () => {
    const [patched, unpatched] = await Promise.all([
      probe(bundles.patched, 'frame'),
      probe(bundles.unpatched, 'frame'),
    ]);
    expect(unpatched).toContain('証明書 ok');
    expect(unpatched).toMatch(/\u001b\[31m/); // the red line really is styled: the comparison covers styles
    expect(patched).toBe(unpatched);
  });

  it("wraps each text for its own width, where Ink 6/7's wrap cache gave two texts and widths one entry (ink#998)", async () => {
    const [patched, unpatched, alone] = await Promise.all([
      probe(bundles.patched, 'wrap-after'),
      probe(bundles.unpatched, 'wrap-after'),
      probe(bundles.unpatched, 'wrap-alone'),
    ]);
    expect(alone).toBe('一二\n三四\n五六\n七八\n九十1');
    expect(unpatched).not.toBe(alone); // the collision is real in the Ink the bundle takes, so this test can fail
    expect(patched).toBe(alone);
  });

  it('keeps what Ink remembers bounded: 8000 distinct lines leave no more behind than 2000 (unpatched keeps every line)', async () => {
    const growth = async (bundle: string) => (await retained(bundle, 8000)) - (await retained(bundle, 2000));
    const [patched, unpatched] = await Promise.all([growth(bundles.patched), growth(bundles.unpatched)]);
    // Unpatched Ink keeps each line's size and truncated form (~1 KB a line): ~6 MB more for 6000 more lines.
    expect(unpatched).toBeGreaterThan(4 * 2 ** 20);
    expect(patched).toBeLessThan(1 * 2 ** 20);
  }, 60_000);

  it('fails naming the file and the text when a dependency no longer reads as a patch expects', () => {
    expect(replaceExactly('a b a', 'x.js', [{ from: 'a', to: 'c', count: 2 }])).toBe('c b c');
    expect(() => replaceExactly('a b', 'node_modules/ink/build/output.js', [{ from: 'missing', to: '' }])).toThrow(
      /output\.js: expected 1 of "missing", found 0/,
    );
    expect(() => replaceExactly('a a', 'w.js', [{ from: 'a', to: 'b' }])).toThrow(/w\.js: expected 1 of "a", found 2/);
  });
});
