// The product's import graph, read from the sources: which file imports which, and whether only for types. The
// architecture tests judge it (one-way lines, the engine's index, no cycles).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

export interface ImportEdge {
  /** The specifier as written: './plan.js', 'ink', '../engine/index.js'. */
  spec: string;
  /** The file it resolves to, relative to the repo root; null for a package or a missing file. */
  target: string | null;
  /** `import type` / `export type`: erased by the compiler, but still a dependency between the two files' meanings. */
  typeOnly: boolean;
}

/** .ts/.tsx files under `dir` (relative to the repo root), [] when it does not exist. */
export function sourceFiles(dir: string): string[] {
  const full = path.join(repoRoot, dir);
  let entries: string[];
  try {
    entries = readdirSync(full);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(repoRoot, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx)$/.test(name) ? [rel] : [];
  });
}

function resolveRelative(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.join(path.dirname(from), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, 'index.ts'),
  ];
  return (
    candidates.find((c) => {
      try {
        return statSync(path.join(repoRoot, c)).isFile();
      } catch {
        return false;
      }
    }) ?? null
  );
}

// Statements at the start of a line, so that an import quoted in a comment or a string is not read as one:
// `import … from '…'`, `export … from '…'`, `import '…'`, and dynamic `import('…')` anywhere.
const STATIC = /^[ \t]*(import|export)(\s+type)?\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATIC)) {
    const spec = m[3] ?? m[4];
    edges.push({ spec, target: resolveRelative(file, spec), typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(DYNAMIC))
    edges.push({ spec: m[1], target: resolveRelative(file, m[1]), typeOnly: false });
  return edges;
}

/** Strongly connected components of more than one file (Tarjan), each sorted, for the edges `keep` accepts. */
export function importCycles(files: readonly string[], keep: (from: string, edge: ImportEdge) => boolean): string[][] {
  const graph = new Map(
    files.map((f) => [
      f,
      importsOf(f)
        .filter((e) => e.target !== null && keep(f, e))
        .map((e) => e.target as string),
    ]),
  );
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}
