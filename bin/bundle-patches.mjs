// The patches the bundle applies to its dependencies (esbuild plugins), shared by `npm run build` (bin/build.mjs)
// and the benchmarks that measure the bundle as shipped. Each patch names the exact source it expects and fails
// the build when the dependency no longer reads that way, rather than silently shipping without it.
//
// Every patch has a header: Why (what it costs users without it, as measured), Upstream (the issue or PR, or that
// none is filed), and Goes when (what would let it go). A failing patch after a dependency update is the moment to
// re-read that header: check whether the new release did what "Goes when" asks, re-run `npm run bench`, and drop
// the patch rather than re-fit it. Checked against Ink 7.1.1, Ink 8.0.0 and yoga-layout 3.2.1 (docs/node-floor.md).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcUtil = (name) => path.join(repoRoot, 'src/util', name).replaceAll('\\', '/');

/**
 * Replaces each `from` with its `to` in `source`, requiring each `from` to occur exactly `count` times (default 1).
 * Throws naming the file and the missing text otherwise.
 */
export function replaceExactly(source, file, replacements) {
  let out = source;
  for (const { from, to, count = 1 } of replacements) {
    const found = out.split(from).length - 1;
    if (found !== count) {
      throw new Error(
        `${file}: expected ${count} of ${JSON.stringify(from)}, found ${found}; the dependency changed — review bin/bundle-patches.mjs`,
      );
    }
    out = out.replaceAll(from, to);
  }
  return out;
}

/** An esbuild plugin that rewrites the files matching `filter` with `transform`, and fails if none was seen. */
function sourcePatch(name, filter, transform) {
  return {
    name,
    setup(b) {
      let patched = 0;
      b.onLoad({ filter }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        patched++;
        return { contents: transform(source, args.path), loader: 'js', resolveDir: path.dirname(args.path) };
      });
      b.onEnd((result) => {
        if (result.errors.length === 0 && patched === 0)
          throw new Error(`${name}: the file it patches was not in the bundle; review bin/bundle-patches.mjs`);
      });
    },
  };
}

// yoga-without-fetch
// Why: Yoga (Ink's layout engine) embeds its WebAssembly as a base64 data: URL, which its loader reads through the
// global fetch() whenever one exists. In Node that first loads Node's whole fetch implementation (undici): ~150 ms
// of the main thread before the wizard's first frame, to decode base64 the loader can decode itself. The patch
// makes the loader take its own synchronous path (both sites: the binary's fetch and the streaming instantiation).
// Still true on Node 24: a process's first fetch() of a 3-byte data: URL took 130-370 ms on Node 24.22.3 and
// 190-360 ms on Node 20.20.2 (2026-12, loaded 2-core machine).
// Upstream: none filed. yoga-layout 3.2.1 (the newest release, which Ink 6, 7 and 8 all pin with ~3.2.1) ships
// Emscripten's generated loader, which prefers fetch() for any URL, its own data: URL included.
// Goes when: a yoga-layout release (taken through Ink) loads its embedded binary without fetch() — then this
// patch's text is gone and the build fails here; remove the patch and check first-screen in `npm run bench`.
export const yogaWithoutFetch = sourcePatch(
  'yoga-without-fetch',
  /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
  (source, file) => replaceExactly(source, file, [{ from: '"function"!=typeof fetch', to: 'true', count: 2 }]),
);

/** Most distinct texts Ink's text measuring and wrapping remember (each; a full screen holds a few hundred). */
export const INK_TEXT_CACHE_ENTRIES = 2000;

// ink-measure-text-bounded, ink-wrap-text-bounded
// Why: Ink 6 and 7 (7.1.1 included) remember the size and the wrapped form of every distinct text they have ever
// laid out, in module-level caches that are never emptied. A live log tail shows new lines on every frame, so the
// wizard kept every journal line it ever displayed: ~0.5 MB per 10 s of a flood, without end. The patch bounds
// both caches (test/build/bundle-patches.test.ts: 6000 more distinct lines leave < 1 MiB behind, > 4 MiB unpatched).
// Upstream: vadimdemedes/ink#986 (closed; measured on Ink 7.1.1), fixed in Ink 8.0.0, whose measure-text.js and
// wrap-text.js keep a QuickLRU of 4096 entries each (read in the published ink@8.0.0 package). ink#987 proposed the
// same for 7.x and was closed unmerged; there is no 7.x release with it.
// Goes when: keyturn takes Ink 8, which needs React >= 19.3 (its peerDependencies); React stays 19.2 for now
// (docs/node-floor.md). The wrap patch also takes Ink 8's fix of ink#998 (merged for 8.0.0): Ink 6/7's cache key
// `text + width + wrapType` gave two different texts and widths one entry, so a text could be drawn wrapped for
// another width (test/build/bundle-patches.test.ts).
const BOUNDED_CACHE = `import { BoundedCache } from ${JSON.stringify(srcUtil('bounded-cache.ts'))};\nconst cache = new BoundedCache(${INK_TEXT_CACHE_ENTRIES});`;
export const inkTextCachesBounded = [
  sourcePatch('ink-measure-text-bounded', /ink[\\/]build[\\/]measure-text\.js$/, (source, file) =>
    replaceExactly(source, file, [
      {
        from: 'const cache = new Map();',
        to: BOUNDED_CACHE,
      },
    ]),
  ),
  sourcePatch('ink-wrap-text-bounded', /ink[\\/]build[\\/]wrap-text\.js$/, (source, file) =>
    replaceExactly(source, file, [
      {
        from: 'const cache = {};',
        to: BOUNDED_CACHE,
      },
      // ink#998: `text + width + wrapType` gives "ab" at 12 and "ab1" at 2 one key; Ink 8's key, delimited.
      {
        from: 'const cacheKey = text + String(maxWidth) + String(wrapType);',
        to: 'const cacheKey = `${maxWidth}\\u0000${String(wrapType)}\\u0000${text}`;',
      },
      { from: 'const cachedText = cache[cacheKey];', to: 'const cachedText = cache.get(cacheKey);' },
      { from: 'cache[cacheKey] = wrappedText;', to: 'cache.set(cacheKey, wrappedText);' },
    ]),
  ),
];

// ink-shared-blank-cell
// Why: Ink's frame builder (output.js) starts every frame from a grid of new blank cells, one object (and one styles
// array) per terminal cell, whatever is drawn on it: 8000 objects and 8000 arrays per frame of a 160×50 terminal,
// ~10 frames a second during a log flood. It never changes a cell, only replaces cells in its rows, so one frozen
// blank cell can stand in every position (frozen: a write to it would throw instead of drawing on every cell).
// Upstream: none filed. Ink 7.1.1 and 8.0.0 still push a fresh cell per position in Output.get(); ink#835 (Ink 6.8
// and later) added per-frame caches of widths and tokenized lines but kept the grid.
// Goes when: Ink's Output.get() stops allocating a cell per position (the FRESH_BLANK_CELL text below is gone and
// the build fails here); then drop the patch and compare the logtail RSS row with and without it.
const FRESH_BLANK_CELL = `                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`;
export const inkSharedBlankCell = sourcePatch(
  'ink-shared-blank-cell',
  /ink[\\/]build[\\/]output\.js$/,
  (source, file) =>
    replaceExactly(source, file, [
      {
        from: 'export default class Output {',
        to: "const BLANK_CELL = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });\nexport default class Output {",
      },
      { from: FRESH_BLANK_CELL, to: '                row.push(BLANK_CELL);' },
    ]),
);

// ink-plain-text-cells
// Why: the same frame builder cuts text into cells and joins rows through @alcalzone/ansi-tokenize, allocating several
// objects per cell even for plain text and blank cells (~9 MB per frame of a 160-column log pane; V8 grew its young
// generation to 32 MiB under it, the logtail RSS row). It gets src/util/ink-text-cells.ts instead: the same results
// (test/util/ink-text-cells.test.ts holds it to the library, whose version package.json pins to the one Ink
// depends on: 0.3.x for Ink 7), with fast paths for unstyled text.
// Upstream: none filed. ink#835 (Ink 6.8 and later) caches each line's cells within one frame only: Output, and its
// caches, are new every frame (renderer.js), so a log line is cut again on every frame it stays on screen. Ink 8.0.0
// still imports the library in output.js.
// Goes when: Ink's output stops allocating per cell for unstyled text (or keeps cells across frames), or
// @alcalzone/ansi-tokenize gets such fast paths itself; measure the logtail row without the patch to decide.
export const inkPlainTextCells = {
  name: 'ink-plain-text-cells',
  setup(b) {
    let redirected = 0;
    b.onResolve({ filter: /^@alcalzone\/ansi-tokenize$/ }, (args) => {
      if (!/ink[\\/]build[\\/]output\.js$/.test(args.importer)) return undefined;
      redirected++;
      return { path: path.join(repoRoot, 'src/util/ink-text-cells.ts') };
    });
    b.onEnd((result) => {
      if (result.errors.length === 0 && redirected === 0)
        throw new Error(
          "ink-plain-text-cells: Ink's output.js no longer imports @alcalzone/ansi-tokenize; review bin/bundle-patches.mjs",
        );
    });
  },
};

/** Every patch, in the order the build applies them. */
export const bundlePatches = [yogaWithoutFetch, ...inkTextCachesBounded, inkSharedBlankCell, inkPlainTextCells];

/**
 * esbuild options that bundle `entryPoints` into `outdir` the way keyturn ships: ESM for Node 20, split into chunks
 * (Ink's devtools module and its external import stay in a chunk never loaded), the Kubernetes client outside,
 * a `require` for the CommonJS inside, and every patch above unless `patched` is false. `production` defines
 * NODE_ENV as the shipped bundle does; otherwise React picks its development build at run time.
 */
export function bundleOptions({ entryPoints, outdir, production = true, patched = true, outExtension }) {
  return {
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    ...(outExtension ? { outExtension } : {}),
    // Loaded lazily, only by commands that talk to the API through it; devtools never in production.
    external: ['@kubernetes/client-node', 'react-devtools-core'],
    define: production ? { 'process.env.NODE_ENV': '"production"' } : {},
    banner: {
      js: "import { createRequire as ktCreateRequire } from 'node:module'; const require = ktCreateRequire(import.meta.url);",
    },
    plugins: patched ? bundlePatches : [],
    logLevel: 'warning',
  };
}
