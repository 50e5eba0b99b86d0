// `npm run build`: bundles the CLI into dist/bundle for bin/keyturn.js (see its header for why one bundle).
//
// The bundle patches a few of its dependencies (Yoga's loader, Ink's text caches and cell builder): see
// bin/bundle-patches.mjs for what and why; each fails the build if the dependency changed under it.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundlePatches } from './bundle-patches.mjs';

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
  plugins: bundlePatches,
  logLevel: 'warning',
});
