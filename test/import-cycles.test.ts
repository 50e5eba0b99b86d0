// No import cycles in the product: a cycle makes two files one module in disguise (neither can be read, tested or
// moved without the other) and makes ES module evaluation order matter. Type-only imports count too: they are erased
// at run time, but a type cycle is the same knot of meanings (the engine's commands → encryption/read → context →
// tails → commands was one).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, importsOf, sourceFiles, type ImportEdge } from './support/import-graph.js';
import { repoRoot } from './support/paths.js';

const ROOTS = ['src', 'components', 'recipes', 'lab'];

/**
 * The lab's hub objects: the state a whole part of the lab shares, handed to each of its pieces, which name its
 * type to use it. A type-only import OF a hub is the only edge left out; a value import of one still counts.
 * - lab/lab-runtime.ts: the controller's state (nodes, units, etcd, datastore). It starts nodes through
 *   node-start.ts, whose steps (join token, bootstrap, agent connect, static pods) each take the runtime.
 * - lab/api/context.ts: what every API route can reach (the stores); the namespaces route reads it while the
 *   stores ask namespaces.ts whether a namespace exists.
 */
const LAB_HUBS = ['lab/lab-runtime.ts', 'lab/api/context.ts'];

const keep = (_from: string, edge: ImportEdge): boolean =>
  !(edge.typeOnly && edge.target !== null && LAB_HUBS.includes(edge.target));

describe('import cycles', () => {
  const files = ROOTS.flatMap(sourceFiles);

  it('the parser reads static, multi-line, re-export, type-only and dynamic imports', () => {
    const edges = importsOf('src/discovery/checks.ts');
    expect(edges.find((e) => e.spec === './check-input.js' && !e.typeOnly)?.target).toBe(
      'src/discovery/check-input.ts',
    );
    expect(edges.some((e) => e.spec === './check-input.js' && e.typeOnly)).toBe(true); // export type { … } from
    expect(importsOf('src/cli.tsx').some((e) => e.target?.startsWith('src/commands/') && !e.typeOnly)).toBe(true); // lazy import('./commands/…')
  });

  it('finds a cycle when there is one', () => {
    // Without the hub exemption the lab's type-only edges close cycles: the detector is live.
    expect(importCycles(files, () => true).length).toBeGreaterThan(0);
  });

  it('every listed lab hub exists', () => {
    for (const hub of LAB_HUBS) expect(existsSync(path.join(repoRoot, hub)), hub).toBe(true);
  });

  it(`no import cycle in ${ROOTS.join(', ')} (type-only imports of the lab's hubs aside)`, () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importCycles(files, keep).map((c) => c.join(', '))).toEqual([]);
  });
});
