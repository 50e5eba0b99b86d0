// `npm run build`: bundles the CLI into dist/bundle for bin/keyturn.js (see its header for why one bundle).
//
// One patch, to Yoga's loader (Ink's layout engine): its WebAssembly binary is embedded as a base64 data: URL,
// which the loader reads through the global fetch() whenever one exists. In Node that first loads Node's whole
// fetch implementation (undici) — ~150 ms of the main thread before the wizard's first Ink frame, to decode base64
// the loader can decode itself. The patch makes the loader take its own synchronous path; the build fails if
// Yoga's loader no longer reads the way this expects, rather than silently shipping the slow path.
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const YOGA_LOADER = /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/;
const USES_FETCH = '"function"!=typeof fetch';
const EXPECTED_SITES = 2; // the binary's fetch and the streaming instantiation

const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    let patched = 0;
    b.onLoad({ filter: YOGA_LOADER }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const sites = source.split(USES_FETCH).length - 1;
      if (sites !== EXPECTED_SITES) {
        throw new Error(`${args.path}: expected ${EXPECTED_SITES} uses of fetch in Yoga's loader, found ${sites}; review bin/build.mjs`);
      }
      patched++;
      return { contents: source.replaceAll(USES_FETCH, 'true'), loader: 'js' };
    });
    b.onEnd((result) => {
      if (result.errors.length === 0 && patched === 0) {
        throw new Error("Yoga's loader was not found in the bundle; review bin/build.mjs");
      }
    });
  },
};

rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.tsx'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  // Loaded lazily, only by commands that talk to the API through it; devtools never in production.
  external: ['@kubernetes/client-node', 'react-devtools-core'],
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: "import { createRequire as ktCreateRequire } from 'node:module'; const require = ktCreateRequire(import.meta.url);" },
  plugins: [yogaWithoutFetch],
  logLevel: 'warning',
});
