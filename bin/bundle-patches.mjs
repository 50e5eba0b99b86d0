// The patches the bundle applies to its dependencies (esbuild plugins), shared by `npm run build` (bin/build.mjs)
// and the benchmarks that measure the bundle as shipped. Each patch names the exact source it expects and fails
// the build when the dependency no longer reads that way, rather than silently shipping without it.
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

// Yoga (Ink's layout engine) embeds its WebAssembly as a base64 data: URL, which its loader reads through the
// global fetch() whenever one exists. In Node that first loads Node's whole fetch implementation (undici): ~150 ms
// of the main thread before the wizard's first frame, to decode base64 the loader can decode itself. The patch
// makes the loader take its own synchronous path (both sites: the binary's fetch and the streaming instantiation).
export const yogaWithoutFetch = sourcePatch(
  'yoga-without-fetch',
  /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
  (source, file) => replaceExactly(source, file, [{ from: '"function"!=typeof fetch', to: 'true', count: 2 }]),
);

/** Most distinct texts Ink's text measuring and wrapping remember (each; a full screen holds a few hundred). */
export const INK_TEXT_CACHE_ENTRIES = 2000;

// Ink 6 remembers the size and the wrapped form of every distinct text it has ever laid out, in module-level
// caches that are never emptied (upstream ink#986). A live log tail shows new lines on every frame, so the wizard
// kept every journal line it ever displayed: ~0.5 MB per 10 s of a flood, without end. The patch bounds both caches.
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
      { from: 'const cachedText = cache[cacheKey];', to: 'const cachedText = cache.get(cacheKey);' },
      { from: 'cache[cacheKey] = wrappedText;', to: 'cache.set(cacheKey, wrappedText);' },
    ]),
  ),
];

// Ink's frame builder (output.js) starts every frame from a grid of new blank cells, one object (and one styles
// array) per terminal cell, whatever is drawn on it. It never changes a cell, only replaces cells in its rows, so
// one frozen blank cell can stand in every position.
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

// The same frame builder cuts text into cells and joins rows through @alcalzone/ansi-tokenize, allocating several
// objects per cell even for plain text and blank cells (~9 MB per frame of a 160-column log pane). It gets
// src/util/ink-text-cells.ts instead: the same results, with fast paths for unstyled text.
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
