// `npm run build`: bundles the CLI into dist/bundle for bin/keyturn.js (see its header for why one bundle).
//
// The bundle patches a few of its dependencies (Yoga's loader, Ink's text caches and cell builder): see
// bin/bundle-patches.mjs for what and why; each fails the build if the dependency changed under it.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-patches.mjs';

rmSync('dist/bundle', { recursive: true, force: true });
await build(bundleOptions({ entryPoints: ['src/cli.tsx'], outdir: 'dist/bundle' }));
