// Types for bin/bundle-patches.mjs (imported by the benchmarks and tests written in TypeScript).
import type { BuildOptions, Plugin } from 'esbuild';

export interface Replacement {
  from: string;
  to: string;
  count?: number;
}
export function replaceExactly(source: string, file: string, replacements: Replacement[]): string;
export const INK_TEXT_CACHE_ENTRIES: number;
export const yogaWithoutFetch: Plugin;
export const inkTextCachesBounded: Plugin[];
export const inkSharedBlankCell: Plugin;
export const inkPlainTextCells: Plugin;
export const bundlePatches: Plugin[];
export function bundleOptions(options: {
  entryPoints: string[];
  outdir: string;
  production?: boolean;
  patched?: boolean;
  outExtension?: Record<string, string>;
}): BuildOptions;
